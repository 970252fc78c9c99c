import Foundation

/// Reading and writing image files: PNG through libpng, JPEG through libjpeg.
///
/// Formats are recognised by their magic bytes, never by the file extension.
public enum ImageCodec {
    /// Image file formats the codec knows.
    public enum Format: String, CaseIterable, Sendable {
        case png, jpeg
    }

    /// Largest decoded image accepted (bytes), to refuse decompression bombs.
    public static let maxDecodedBytes = 1 << 28

    /// The format of `data` from its signature, or nil.
    public static func format(of data: [UInt8]) -> Format? {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if data.count >= 8 && Array(data[0..<8]) == png { return .png }
        if data.count >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF { return .jpeg }
        return nil
    }

    /// Reads and decodes the image file at `path`.
    /// - Throws: `DataError` when the file is missing, not PNG/JPEG, or corrupt.
    public static func decode(path: String) throws -> DecodedImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.missingFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")
        }
        return try decode([UInt8](data), path: path)
    }

    /// Decodes in-memory file bytes; `path` only names the source in errors.
    public static func decode(_ data: [UInt8], path: String) throws -> DecodedImage {
        switch format(of: data) {
        case .png: return try decodePNG(data, path: path)
        case .jpeg: return try decodeJPEG(data, path: path)
        case nil:
            let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DataError.malformed(path: path, reason: "expected a PNG or JPEG signature, found [\(head)]")
        }
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same folder, then rename.
    static func atomicWrite(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            throw DataError.writeFailed(path: path, reason: error.localizedDescription)
        }
        if rename(temp.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw DataError.writeFailed(path: path, reason: reason)
        }
    }
}
