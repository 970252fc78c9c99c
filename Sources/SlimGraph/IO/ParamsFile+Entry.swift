import SlimTensor

extension ParamsFile {
    /// Reads one tensor entry (name, dtype, dims, byte count, data), validating each field before
    /// it allocates anything.
    static func readEntry(_ r: inout ByteReader, index i: Int) throws -> (String, Tensor) {
        let nameLength = try r.u32("the name length of tensor #\(i)")
        let nameBytes = try r.take(Int(nameLength), for: "the name of tensor #\(i)")
        guard let name = String(validating: nameBytes, as: UTF8.self), !name.isEmpty else {
            throw ModelFileError(.malformed, path: r.path, "tensor #\(i) has an empty or invalid UTF-8 name",
                                 expected: "a non-empty UTF-8 var name")
        }
        let code = try r.u8("the dtype of '\(name)'")
        guard Int(code) < dtypeCodes.count else {
            throw ModelFileError(.malformed, path: r.path, "tensor '\(name)' has dtype code \(code)",
                                 expected: "0 (f32), 1 (s8), 2 (u8) or 3 (s32)")
        }
        let dtype = dtypeCodes[Int(code)]
        let shape = try readShape(&r, name: name)
        let byteCount = try r.u64("the byte count of '\(name)'")
        let elements = shape.reduce(into: Optional(1)) { acc, d in acc = acc.flatMap { mulOrNil($0, d) } }
        guard let elements, let expected = mulOrNil(elements, dtype.byteSize), UInt64(expected) == byteCount else {
            throw ModelFileError(.malformed, path: r.path,
                                 "tensor '\(name)' (\(dtype)\(shape)) declares \(byteCount) data bytes",
                                 expected: "product(dims) * \(dtype.byteSize) bytes")
        }
        let data = try r.take(expected, for: "the data of '\(name)'")
        var tensor = Tensor(shape: shape, dtype: dtype)
        tensor.withUnsafeMutableBytes { dst in data.withUnsafeBytes { dst.copyMemory(from: $0) } }
        return (name, tensor)
    }

    private static func readShape(_ r: inout ByteReader, name: String) throws -> [Int] {
        let rank = try r.u32("the rank of '\(name)'")
        guard Int(rank) * 8 <= r.remaining else {
            _ = try r.take(Int(rank) * 8, for: "the \(rank) dims of '\(name)'")
            return []
        }
        var shape: [Int] = []
        for k in 0..<Int(rank) {
            let d = try r.i64("dim \(k) of '\(name)'")
            guard d >= 0, let dim = Int(exactly: d) else {
                throw ModelFileError(.malformed, path: r.path, "tensor '\(name)' has dim \(k) = \(d)",
                                     expected: "dims >= 0 (stored tensors have no batch dimension)")
            }
            shape.append(dim)
        }
        return shape
    }

    private static func mulOrNil(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }
}
