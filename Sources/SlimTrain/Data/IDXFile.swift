/// One parsed IDX file (the MNIST / Fashion-MNIST container), unsigned-byte payload only.
///
/// Layout (big-endian): magic `0x0000 08 nd` (type 0x08 = ubyte, `nd` dimensions), then `nd`
/// 32-bit dimensions, then `prod(dims)` payload bytes.
public struct IDXFile: Sendable {
    /// Magic of an image file (3 dimensions: count, rows, columns).
    public static let imageMagic: UInt32 = 0x0000_0803
    /// Magic of a label file (1 dimension: count).
    public static let labelMagic: UInt32 = 0x0000_0801

    public let path: String
    public let dims: [Int]
    /// The whole file; the payload starts at `payloadOffset`.
    let bytes: [UInt8]
    let payloadOffset: Int

    /// Reads and validates `path` (plain or `.gz`).
    /// - Throws: `DataError` for a missing file, a wrong magic, or a file shorter or longer
    ///   than its header promises.
    public init(path: String, magic: UInt32) throws {
        try self.init(bytes: GzipFile.readAll(path: path), path: path, magic: magic)
    }

    /// Validates already-loaded bytes of `path`.
    public init(bytes: [UInt8], path: String, magic: UInt32) throws {
        guard bytes.count >= 4 else {
            throw DataError.truncated(path: path, expectedBytes: 4, foundBytes: bytes.count)
        }
        let found = Self.bigEndian(bytes, at: 0)
        guard found == magic else {
            throw DataError.malformed(path: path, reason: "expected IDX magic \(Self.hex(magic)), found \(Self.hex(found))")
        }
        let rank = Int(magic & 0xFF)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError.truncated(path: path, expectedBytes: headerSize, foundBytes: bytes.count)
        }
        let dims = (0..<rank).map { Int(Self.bigEndian(bytes, at: 4 + 4 * $0)) }
        guard let payloadSize = Self.product(dims), payloadSize <= Int(Int32.max) * 16 else {
            throw DataError.malformed(path: path, reason: "implausible IDX dimensions \(dims)")
        }
        let expected = headerSize + payloadSize
        if bytes.count < expected {
            throw DataError.truncated(path: path, expectedBytes: expected, foundBytes: bytes.count)
        }
        if bytes.count > expected {
            throw DataError.malformed(path: path, reason:
                "expected \(expected) bytes for dimensions \(dims), found \(bytes.count) (trailing data)")
        }
        self.path = path
        self.dims = dims
        self.bytes = bytes
        payloadOffset = headerSize
    }

    /// Number of items (the first dimension).
    public var count: Int { dims.first ?? 0 }

    /// Payload bytes `[start, start + length)`.
    public func payload(from start: Int, count length: Int) -> ArraySlice<UInt8> {
        bytes[(payloadOffset + start)..<(payloadOffset + start + length)]
    }

    /// Payload byte at `index`.
    public func payloadByte(_ index: Int) -> UInt8 { bytes[payloadOffset + index] }

    static func bigEndian(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    /// Product of `dims`, or nil on overflow.
    static func product(_ dims: [Int]) -> Int? {
        var total = 1
        for d in dims {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = p
        }
        return total
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
