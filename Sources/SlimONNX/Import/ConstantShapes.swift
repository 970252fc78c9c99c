/// Shape-changing evaluations of constants (ONNX semantics, any rank).
enum ConstantShapes {
    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for i in shape.indices.reversed().dropFirst() { s[i] = s[i + 1] * shape[i + 1] }
        return s
    }

    /// Maps a flat index of `out` to the flat index of `shape` (same rank, dims 1 broadcast).
    static func broadcastIndex(_ shape: [Int], to out: [Int]) -> (Int) -> Int {
        let so = strides(out), ss = strides(shape)
        return { flat in
            var rest = flat, index = 0
            for d in out.indices {
                let i = rest / so[d]
                rest %= so[d]
                if shape[d] != 1 { index += i * ss[d] }
            }
            return index
        }
    }

    static func normalized(_ axis: Int, rank: Int, _ context: ImportContext) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw context.malformed("axis \(axis) is out of range for rank \(rank)") }
        return a
    }

    static func concat(_ parts: [ImportedConstant], axis: Int, _ context: ImportContext) throws -> ImportedConstant {
        guard let first = parts.first else { throw context.malformed("no inputs") }
        let a = try normalized(axis, rank: first.shape.count, context)
        let outer = first.shape[..<a].reduce(1, *)
        var values: [Double] = [], total = 0
        for p in parts {
            guard p.shape.count == first.shape.count else { throw context.malformed("inputs of different ranks") }
            total += p.shape[a]
        }
        for o in 0..<outer {
            for p in parts {
                let block = p.shape[a...].reduce(1, *)
                values += p.values[(o * block)..<((o + 1) * block)]
            }
        }
        var shape = first.shape
        shape[a] = total
        return ImportedConstant(shape: shape, values: values, isFloat: parts.contains { $0.isFloat })
    }

    static func gather(_ x: ImportedConstant, indices: ImportedConstant, axis: Int, _ context: ImportContext) throws -> ImportedConstant {
        let a = try normalized(axis, rank: x.shape.count, context), n = x.shape[a]
        guard let idx = indices.integers, idx.allSatisfy({ $0 >= -n && $0 < n }) else {
            throw context.malformed("indices \(indices.values) out of range for dim \(n)")
        }
        let outer = x.shape[..<a].reduce(1, *), inner = x.shape[(a + 1)...].reduce(1, *)
        var values: [Double] = []
        for o in 0..<outer {
            for i in idx {
                let start = (o * n + (i < 0 ? i + n : i)) * inner
                values += x.values[start..<(start + inner)]
            }
        }
        return ImportedConstant(shape: Array(x.shape[..<a]) + indices.shape + x.shape[(a + 1)...], values: values, isFloat: x.isFloat)
    }

    static func transpose(_ x: ImportedConstant, perm: [Int], _ context: ImportContext) throws -> ImportedConstant {
        guard perm.sorted() == Array(x.shape.indices) else { throw context.malformed("perm \(perm) for rank \(x.shape.count)") }
        let shape = perm.map { x.shape[$0] }, st = strides(x.shape), out = strides(shape)
        var values = [Double](repeating: 0, count: x.count)
        for flat in 0..<x.count {
            var rest = flat, source = 0
            for d in shape.indices {
                source += (rest / out[d]) * st[perm[d]]
                rest %= out[d]
            }
            values[flat] = x.values[source]
        }
        return ImportedConstant(shape: shape, values: values, isFloat: x.isFloat)
    }

    static func unsqueeze(_ x: ImportedConstant, axes: [Int], _ context: ImportContext) throws -> ImportedConstant {
        let rank = x.shape.count + axes.count
        let normalizedAxes = Set(try axes.map { try normalized($0, rank: rank, context) })
        var shape: [Int] = [], rest = x.shape[...]
        for d in 0..<rank {
            if normalizedAxes.contains(d) { shape.append(1) } else if let s = rest.popFirst() { shape.append(s) }
        }
        return x.reshaped(shape)
    }

    static func squeeze(_ x: ImportedConstant, axes: [Int]?, _ context: ImportContext) throws -> ImportedConstant {
        let drop = try Set((axes ?? x.shape.indices.filter { x.shape[$0] == 1 }).map { try normalized($0, rank: x.shape.count, context) })
        return x.reshaped(x.shape.indices.filter { !drop.contains($0) }.map { x.shape[$0] })
    }

    /// ONNX `Reshape` (0 copies the input dim, one -1 is inferred).
    static func reshape(_ x: ImportedConstant, to target: ImportedConstant, _ context: ImportContext) throws -> ImportedConstant {
        guard var dims = target.integers else { throw context.malformed("shape \(target.values) is not known") }
        for i in dims.indices where dims[i] == 0 && i < x.shape.count { dims[i] = x.shape[i] }
        if let i = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            dims[i] = known == 0 ? 0 : x.count / known
        }
        guard dims.reduce(1, *) == x.count else { throw context.malformed("cannot reshape \(x.shape) to \(target.values)") }
        return x.reshaped(dims)
    }

    /// ONNX `Slice`: starts/ends/axes/steps from attributes (opset < 10) or inputs 1-4.
    static func slice(_ x: ImportedConstant, inputs: [ImportedConstant?], _ context: ImportContext) throws -> ImportedConstant {
        let node = context.node
        func input(_ i: Int) throws -> [Int]? {
            guard i < inputs.count, let c = inputs[i] else { return nil }
            guard let v = c.integers else { throw context.malformed("input \(i) \(c.values) is not integer") }
            return v
        }
        guard let starts = try node.ints("starts") ?? input(1), let ends = try node.ints("ends") ?? input(2) else {
            throw context.malformed("starts and ends are missing")
        }
        let axes = try node.ints("axes") ?? input(3) ?? Array(starts.indices), steps = try input(4) ?? starts.map { _ in 1 }
        var ranges = x.shape.map { Array(0..<$0) }
        for (k, axis) in axes.enumerated() {
            let a = try normalized(axis, rank: x.shape.count, context), n = x.shape[a], step = steps[k]
            guard step != 0 else { throw context.malformed("step 0") }
            func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v < 0 ? v + n : v, lo), hi) }
            let s = step > 0 ? clamp(starts[k], 0, n) : clamp(starts[k], -1, n - 1)
            let e = step > 0 ? clamp(ends[k], 0, n) : clamp(ends[k], -1, n - 1)
            ranges[a] = Array(stride(from: s, to: e, by: step))
        }
        let st = strides(x.shape)
        var values: [Double] = [], index = [Int](repeating: 0, count: x.shape.count)
        let shape = ranges.map(\.count), count = shape.reduce(1, *)
        for _ in 0..<count {
            values.append(x.values[zip(index.indices, st).reduce(0) { $0 + ranges[$1.0][index[$1.0]] * $1.1 }])
            for d in index.indices.reversed() {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
            }
        }
        return ImportedConstant(shape: shape, values: values, isFloat: x.isFloat)
    }
}
