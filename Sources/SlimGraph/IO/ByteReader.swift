/// Reads little-endian integers and byte ranges from a file's bytes, checking every length
/// against what is left before reading, so a truncated or corrupt file throws
/// `ModelFileError` (`.truncated`) instead of crashing or allocating what it claims.
struct ByteReader {
    let bytes: [UInt8]
    let path: String
    private(set) var offset = 0

    init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset }

    /// The next `count` bytes.
    /// - Parameter what: names the field in the error, e.g. "the name of var #3".
    mutating func take(_ count: Int, for what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw ModelFileError(.truncated, path: path,
                "the file ends at byte \(bytes.count), but \(what) needs \(count) bytes from offset \(offset)",
                expected: "a complete file (truncated or damaged)")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8(_ what: String) throws -> UInt8 { try take(1, for: what).first ?? 0 }

    mutating func u32(_ what: String) throws -> UInt32 { UInt32(truncatingIfNeeded: try littleEndian(4, what)) }

    mutating func u64(_ what: String) throws -> UInt64 { try littleEndian(8, what) }

    mutating func i64(_ what: String) throws -> Int64 { Int64(bitPattern: try littleEndian(8, what)) }

    private mutating func littleEndian(_ count: Int, _ what: String) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(count, for: what).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
}
