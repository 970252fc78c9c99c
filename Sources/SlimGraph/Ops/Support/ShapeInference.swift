/// Helpers every op's `inferShapes` uses: fetching slot shapes and comparing dims where `-1`
/// (the batch dimension, or any size unknown before the run) matches anything.
enum ShapeInference {
    /// The shape of input `slot`[`index`], or a `GraphError` naming the op when it is missing.
    static func shape(_ inputs: [String: [[Int]]], _ slot: String, _ index: Int = 0, of op: OpDesc) throws -> [Int] {
        guard let shapes = inputs[slot], index < shapes.count else {
            throw GraphError("op '\(op.type)' needs input slot '\(slot)'[\(index)], which is missing")
        }
        return shapes[index]
    }

    /// Throws unless `shape` has one of the ranks in `ranks`.
    static func requireRank(_ shape: [Int], _ ranks: Set<Int>, _ what: String, of op: OpDesc) throws {
        guard ranks.contains(shape.count) else {
            let expected = ranks.sorted().map(String.init).joined(separator: " or ")
            throw GraphError("op '\(op.type)': \(what) has shape \(shape), expected rank \(expected)")
        }
    }

    /// Whether two dims can be equal (`-1` matches any size).
    static func compatible(_ a: Int, _ b: Int) -> Bool { a == -1 || b == -1 || a == b }

    /// The known one of two compatible dims (`-1` when both are unknown).
    static func merge(_ a: Int, _ b: Int) -> Int { a == -1 ? b : a }

    /// Product of dims, `-1` when any of them is unknown.
    static func product<S: Sequence>(_ dims: S) -> Int where S.Element == Int {
        var p = 1
        for d in dims {
            if d < 0 { return -1 }
            p *= d
        }
        return p
    }

    /// Normalises an axis attr (negative counts from the end) for a rank, or throws.
    static func axis(_ axis: Int, rank: Int, of op: OpDesc) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else {
            throw GraphError("op '\(op.type)': axis \(axis) is out of range for rank \(rank)")
        }
        return a
    }
}
