import SlimGraph

/// `Slice` of a run-time tensor with constant starts/ends/axes (attributes before opset 10,
/// inputs from 10) and steps of 1 -> `slice`, ranges clamped as ONNX does. The batch dim must
/// be kept whole.
enum SliceImporter: ImportConverter {
    static let opTypes = ["Slice"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), xs = context.shape(x)
        func input(_ i: Int, _ role: String) throws -> [Int]? {
            guard context.hasInput(i) else { return nil }
            let c = try context.requireConstant(i, role)
            guard let v = c.integers else { throw context.unsupported("\(role) \(c.values) are not known integers") }
            return v
        }
        let legacy = context.opset < 10
        guard let starts = try legacy ? context.node.ints("starts") : input(1, "starts"),
              let ends = try legacy ? context.node.ints("ends") : input(2, "ends") else { throw context.malformed("starts and ends are missing") }
        let axes = try (legacy ? context.node.ints("axes") : input(3, "axes")) ?? Array(starts.indices)
        if let steps = try legacy ? nil : input(4, "steps"), steps.contains(where: { $0 != 1 }) {
            throw context.unsupported("steps \(steps): slim slices with step 1")
        }
        guard axes.count == starts.count, axes.count == ends.count else { throw context.malformed("axes, starts and ends differ in length") }
        var kept: [(Int, Int, Int)] = []
        for (k, axis) in axes.enumerated() {
            let a = axis < 0 ? axis + xs.count : axis
            guard a >= 0, a < xs.count else { throw context.malformed("axis \(axis) for rank \(xs.count)") }
            let n = xs[a]
            guard n > 0 else {
                guard starts[k] == 0, ends[k] >= Int(Int32.max) else { throw context.unsupported("slicing dim \(a) of unknown size (the batch)") }
                continue
            }
            let clamp = { (v: Int) in min(max(v < 0 ? v + n : v, 0), n) }
            kept.append((a, clamp(starts[k]), clamp(ends[k])))
        }
        guard !kept.isEmpty else { return context.alias(0, to: x) }
        try context.emit("slice", ["Input": [x]], ["Out": [try context.output()]], ["axes": .ints(kept.map(\.0)), "starts": .ints(kept.map(\.1)), "ends": .ints(kept.map(\.2))])
    }
}
