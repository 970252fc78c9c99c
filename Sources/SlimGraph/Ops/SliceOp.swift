import SlimTensor

/// `slice` (Paddle 1.6): `Out = Input[starts:ends]` along each of `axes` (step 1). Negative
/// `starts`/`ends` count from the end of the dim; both are clamped to [0, dim], and an empty
/// range is an error. Backward scatters `dOut` into zeros of `Input`'s shape. A plain copy loop
/// over contiguous rows.
public enum SliceOp: Operator {
    public static let type = "slice"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "Input", of: op)
        return ["Out": [try ranges(op, x).map { $0.lowerBound < 0 ? -1 : $0.count }]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("Input")
        let r = try ranges(context.op, x.shape)
        var out = Tensor(shape: r.map(\.count))
        x.withUnsafeFloats { src in out.withUnsafeMutableFloats { dst in copy(r, x.shape) { dst[$0] = src[$1] } } }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("Input") else { return }
        let x = try context.input("Input")
        let r = try ranges(context.op, x.shape)
        var dx = Tensor(shape: x.shape)
        dOut.withUnsafeFloats { g in dx.withUnsafeMutableFloats { d in copy(r, x.shape) { d[$1] += g[$0] } } }
        context.addInputGrad("Input", 0, dx)
    }

    /// Calls `body(outIndex, inIndex)` for every element of the slice, in output order.
    static func copy(_ r: [Range<Int>], _ shape: [Int], _ body: (Int, Int) -> Void) {
        var strides = [Int](repeating: 1, count: shape.count)
        for d in shape.indices.reversed().dropFirst() { strides[d] = strides[d + 1] * shape[d + 1] }
        let counts = r.map(\.count), total = counts.reduce(1, *)
        guard total > 0 else { return }
        var index = r.map(\.lowerBound)
        for o in 0..<total {
            body(o, zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 })
            for d in index.indices.reversed() {
                index[d] += 1
                if index[d] < r[d].upperBound { break }
                index[d] = r[d].lowerBound
            }
        }
    }

    /// The kept range of every dim (`-1..<-1` for a dim of unknown size).
    static func ranges(_ op: OpDesc, _ x: [Int]) throws -> [Range<Int>] {
        let axes = op.ints("axes", default: []), starts = op.ints("starts", default: []), ends = op.ints("ends", default: [])
        guard axes.count == starts.count, axes.count == ends.count, !axes.isEmpty else {
            throw GraphError("op 'slice': axes \(axes), starts \(starts), ends \(ends) must have one value each per axis")
        }
        var r = x.map { $0 < 0 ? -1..<(-1) : 0..<$0 }
        for (k, axis) in axes.enumerated() {
            let a = try ShapeInference.axis(axis, rank: x.count, of: op), n = x[a]
            guard n >= 0 else { r[a] = -1..<(-1); continue }
            let clamp = { (v: Int) in min(max(v < 0 ? v + n : v, 0), n) }
            let (s, e) = (clamp(starts[k]), clamp(ends[k]))
            guard s < e else { throw GraphError("op 'slice': axis \(axis) range \(starts[k])..<\(ends[k]) of dim \(n) is empty") }
            r[a] = s..<e
        }
        return r
    }
}
