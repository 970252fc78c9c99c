import CZlib
import Foundation

/// Whole-file reads through zlib, which reads gzip-compressed and plain files alike.
public enum GzipFile {
    /// Reads and (if gzip-compressed) inflates the whole file at `path`.
    /// - Throws: `DataError.missingFile` if it cannot be opened, `DataError.malformed` if the
    ///   compressed stream is corrupt or cut short.
    public static func readAll(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.missingFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DataError.missingFile(path: path, reason: "is a directory, expected a file")
        }
        guard let file = gzopen(path, "rb") else {
            throw DataError.missingFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        var capacity = 1 << 20, used = 0
        guard var buffer = malloc(capacity) else { throw DataError.malformed(path: path, reason: "out of memory") }
        defer { free(buffer) }
        while true {
            if used == capacity {
                capacity *= 2
                guard let grown = realloc(buffer, capacity) else { throw DataError.malformed(path: path, reason: "out of memory") }
                buffer = grown
            }
            let n = gzread(file, buffer + used, UInt32(min(capacity - used, Int(Int32.max))))
            if n < 0 { throw DataError.malformed(path: path, reason: "corrupt gzip data: \(errorMessage(file))") }
            if n == 0 { break }
            used += Int(n)
        }
        if let message = pendingError(file) {
            throw DataError.malformed(path: path, reason: "corrupt gzip data: \(message)")
        }
        return [UInt8](UnsafeRawBufferPointer(start: buffer, count: used))
    }

    private static func errorMessage(_ file: gzFile) -> String {
        var code: Int32 = 0
        guard let text = gzerror(file, &code) else { return "unknown zlib error" }
        return String(cString: text)
    }

    /// A zlib error left after reading to the end (e.g. a gzip stream cut short).
    private static func pendingError(_ file: gzFile) -> String? {
        var code: Int32 = 0
        let text = gzerror(file, &code)
        guard code != Z_OK, code != Z_STREAM_END, let text else { return nil }
        return String(cString: text)
    }
}
