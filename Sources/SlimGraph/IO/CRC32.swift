/// CRC-32 (IEEE 802.3, as in zlib, PNG and gzip): reflected polynomial `0xEDB88320`, initial value
/// and final XOR `0xFFFFFFFF`, one table lookup per byte.
///
/// `CRC32.checksum("123456789".utf8) == 0xCBF43926` (the standard check value).
public struct CRC32: Sendable {
    /// `table[b]` is the CRC register after shifting byte `b` through eight rounds of
    /// `r = (r >> 1) ^ (r & 1 ? 0xEDB88320 : 0)`.
    static let table: [UInt32] = (0..<256).map { byte in
        var r = UInt32(byte)
        for _ in 0..<8 { r = (r & 1 == 1) ? (r >> 1) ^ 0xEDB8_8320 : r >> 1 }
        return r
    }

    private var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Feeds `bytes` into the running checksum.
    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        guard done == nil else { return }
        let table = CRC32.table
        var r = register
        for b in bytes { r = table[Int((r ^ UInt32(b)) & 0xFF)] ^ (r >> 8) }
        register = r
    }

    /// Feeds the bytes of `buffer` into the running checksum.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        CRC32.table.withUnsafeBufferPointer { table in
            var r = register
            for b in buffer { r = table[Int((r ^ UInt32(b)) & 0xFF)] ^ (r >> 8) }
            register = r
        }
    }

    /// The checksum of everything fed so far.
    public var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// The checksum of `bytes`.
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
