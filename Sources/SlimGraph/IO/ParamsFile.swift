import SlimTensor

/// The params file of a model directory (`__params__` / `weights`): every persistable tensor in
/// one little-endian binary file.
///
/// Layout, version 1 (all integers little-endian):
///
///     magic        8 bytes  "SLIMPRM1"
///     version      u32      1
///     count        u32      number of tensors
///     count times, sorted by the UTF-8 bytes of the name, names unique:
///       name length  u32, then the name in UTF-8
///       dtype        u8     f32 0, s8 1, u8 2, s32 3
///       rank         u32, then each dim as i64 (>= 0)
///       byte count   u64    = product(dims) * element size
///       data         the raw elements, row-major
///     crc32        u32      CRC-32 (IEEE) of every byte before it
///
/// (Described for users in docs/MODEL_FILES.md.)
///
/// `decode` checks each length against the bytes left before reading or allocating, then the
/// checksum, then that nothing follows it.
public enum ParamsFile {
    public static let magic: [UInt8] = Array("SLIMPRM1".utf8)
    public static let version: UInt32 = 1
    /// Dtype codes of the file, by position: f32 0, s8 1, u8 2, s32 3.
    static let dtypeCodes: [DType] = [.f32, .s8, .u8, .s32]

    /// The file bytes for `params` (any names; stored sorted by UTF-8 bytes).
    public static func encode(_ params: [String: Tensor]) -> [UInt8] {
        let names = params.keys.sorted(by: utf8Precedes)
        var w = ByteWriter(reservingCapacity: 20 + params.values.reduce(0) { $0 + $1.byteCount + 64 })
        w.append(magic)
        w.u32(version)
        w.u32(UInt32(names.count))
        for name in names {
            guard let t = params[name], let code = dtypeCodes.firstIndex(of: t.dtype) else { continue }
            w.u32(UInt32(name.utf8.count))
            w.append(name.utf8)
            w.u8(UInt8(code))
            w.u32(UInt32(t.shape.count))
            for d in t.shape { w.i64(Int64(d)) }
            w.u64(UInt64(t.byteCount))
            t.withUnsafeBytes { w.append($0) }
        }
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// The tensors stored in `bytes`.
    /// - Parameter path: names the file in errors.
    /// - Throws: `ModelFileError` for a foreign, truncated, damaged or unsupported file.
    public static func decode(_ bytes: [UInt8], path: String = "<params>") throws -> [String: Tensor] {
        var r = ByteReader(bytes, path: path)
        try readHeader(&r)
        do {
            return try readBody(&r)
        } catch var error as ModelFileError where error.kind == .truncated || error.kind == .malformed {
            if !endsWithValidChecksum(bytes) {
                error.hints.append("the checksum at the end of the file does not match either: the file is damaged")
            }
            throw error
        }
    }

    private static func readBody(_ r: inout ByteReader) throws -> [String: Tensor] {
        let path = r.path
        let count = try r.u32("the tensor count")
        var params: [String: Tensor] = [:]
        var previous: String?
        for i in 0..<Int(count) {
            let (name, tensor) = try readEntry(&r, index: i)
            if let previous, !utf8Precedes(previous, name) {
                throw ModelFileError(.malformed, path: path, "tensor #\(i) '\(name)' follows '\(previous)'",
                                     expected: "unique names in increasing UTF-8 order")
            }
            params[name] = tensor
            previous = name
        }
        try readChecksum(&r)
        guard r.remaining == 0 else {
            throw ModelFileError(.trailingBytes, path: path,
                                 "\(r.remaining) bytes follow the checksum at offset \(r.offset)",
                                 expected: "the file to end after the checksum")
        }
        return params
    }

    static func utf8Precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private static func readHeader(_ r: inout ByteReader) throws {
        let expected = "a slim params file, starting with the magic 'SLIMPRM1'"
        if r.bytes.isEmpty { throw ModelFileError(.truncated, path: r.path, "the file is empty", expected: expected) }
        if r.bytes.count < magic.count, r.bytes.elementsEqual(magic.prefix(r.bytes.count)) {
            throw ModelFileError(.truncated, path: r.path, "the file ends inside the magic (\(r.bytes.count) bytes)",
                                 expected: expected)
        }
        guard r.bytes.starts(with: magic) else {
            let head = r.bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw ModelFileError(.foreign, path: r.path, "not a slim params file (starts with bytes \(head))",
                                 expected: expected)
        }
        _ = try r.take(magic.count, for: "the magic")
        let version = try r.u32("the format version")
        guard version == ParamsFile.version else {
            throw ModelFileError(.unsupportedVersion, path: r.path, "params format version \(version)",
                                 expected: "version \(ParamsFile.version) (written by another slim version?)")
        }
    }

    private static func readChecksum(_ r: inout ByteReader) throws {
        let end = r.offset
        let stored = try r.u32("the checksum")
        let computed = r.bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
        guard stored == computed else {
            throw ModelFileError(.checksumMismatch, path: r.path,
                                 "checksum mismatch: stored \(hex(stored)), bytes 0..<\(end) give \(hex(computed))",
                                 expected: "the CRC-32 of the contents (the file is damaged)")
        }
    }

    /// Whether the last four bytes are the CRC-32 of the others (told apart from a structural
    /// error, this separates damaged files from files a faulty writer produced).
    private static func endsWithValidChecksum(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        var r = ByteReader(Array(bytes.suffix(4)), path: "")
        let stored = try? r.u32("")
        return stored == bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0.dropLast(4))) }
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true) }
}
