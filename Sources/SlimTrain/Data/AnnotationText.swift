import Foundation

/// Reading the small text files of annotated data sets (list files, `label_list.txt`).
enum AnnotationText {
    /// The UTF-8 text of `path`.
    /// - Throws: `DataError.missingFile` when it cannot be read, `DataError.malformed` when it is not UTF-8.
    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.missingFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw DataError.missingFile(path: path, reason: isDirectory.boolValue ? "is a directory, not a file" : "unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.malformed(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// `relative` joined to `dir`, unless it is already absolute.
    static func join(_ dir: String, _ relative: String) -> String {
        relative.hasPrefix("/") || dir.isEmpty ? relative : (dir as NSString).appendingPathComponent(relative)
    }

    /// Throws `DataError.missingFile` for `path` unless it is an existing regular file; `listedAt`
    /// names where the path came from.
    static func requireFile(_ path: String, listedAt origin: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DataError.missingFile(path: path, reason: "\(isDirectory.boolValue ? "is a directory" : "no such file") (listed at \(origin))")
        }
    }
}
