/// Appends little-endian integers and raw bytes to a growing buffer (the params file writer).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u32(_ v: UInt32) { littleEndian(UInt64(v), count: 4) }

    mutating func u64(_ v: UInt64) { littleEndian(v, count: 8) }

    mutating func i64(_ v: Int64) { littleEndian(UInt64(bitPattern: v), count: 8) }

    mutating func append<S: Sequence>(_ raw: S) where S.Element == UInt8 { bytes.append(contentsOf: raw) }

    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    private mutating func littleEndian(_ v: UInt64, count: Int) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
