import Foundation

/// The output folder of `slim infer` on a detector, which may hold files slim did not write (the
/// default is `output`, next to training results): a hidden list `.slim_infer_files` records
/// every file name `slim infer` wrote there, and an existing file not on it is never replaced.
struct DetectionOutputFolder {
    static let marker = ".slim_infer_files"
    let path: String
    /// Names an earlier run wrote.
    private(set) var owned: Set<String>

    /// Creates the folder when needed and reads its list.
    /// - Throws: `DataError.writeFailed` when `path` is a file or cannot be created.
    init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DataError.writeFailed(path: path, reason: "is a file, not a folder") }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw DataError.writeFailed(path: path, reason: "cannot create the output folder: \(error.localizedDescription)")
            }
        }
        let text = fm.contents(atPath: Self.join(path, Self.marker)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        owned = Set(text.split(separator: "\n").map(String.init))
    }

    static func join(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    func file(_ name: String) -> String { Self.join(path, name) }

    /// Claims `names` before anything is written: each must be new or written by an earlier run,
    /// and the list is updated first, so an interrupted run leaves only files the next run owns.
    /// - Throws: `DataError.writeFailed` naming the first file slim did not write.
    mutating func claim(_ names: [String]) throws {
        var isDirectory: ObjCBool = false
        for name in names where !owned.contains(name) && FileManager.default.fileExists(atPath: file(name), isDirectory: &isDirectory) {
            throw DataError.writeFailed(path: file(name), reason:
                "exists and was not written by slim infer; move it away or choose another --output_dir")
        }
        owned.formUnion(names)
        try ImageCodec.atomicWrite(Array((owned.sorted().joined(separator: "\n") + "\n").utf8), to: file(Self.marker))
    }
}
