import SlimGraph
import SlimTensor

/// The ops after a quantized op that `Int8Chain` folds into its output scales and bias, and the
/// residual adds it fuses as a sum post-op.
enum Int8Affine {
    /// `op` as a per-channel map `v -> k[o] * v + c[o]` of its input `x` (k nil: 1), when it is
    /// - `elementwise_add` of a persistable f32 bias [channels] on the channel axis: `k = 1, c = b`;
    /// - eval-mode `batch_norm` (running statistics, as the INT8 engine runs):
    ///   `k = scale / sqrt(var + epsilon)`, `c = bias - mean * k`.
    static func of(_ op: OpDesc, x: String, graph: Int8Graph, params: [String: Tensor], channels: Int) -> ([Double]?, [Double])? {
        guard let rank = graph.variable(x)?.shape.count else { return nil }
        func vector(_ slot: String) -> [Double]? {
            guard let names = op.inputs[slot], names.count == 1, graph.variable(names[0])?.persistable == true,
                  let t = params[names[0]], t.dtype == .f32, t.shape == [channels] else { return nil }
            return t.floats.map(Double.init)
        }
        switch op.type {
        case "elementwise_add":
            let axis = op.int("axis", default: -1)
            let aligned = rank == 2 ? (axis == 1 || axis == -1) : axis == 1
            guard op.inputs["X"] == [x], aligned, let b = vector("Y") else { return nil }
            return (nil, b)
        case "batch_norm":
            guard op.inputs["X"] == [x], rank == 2 || rank == 4, op.string("data_layout", default: "NCHW") == "NCHW",
                  ["SavedMean", "SavedVariance"].allSatisfy({ slot in (op.outputs[slot] ?? []).allSatisfy { graph.readers[$0] == nil } }),
                  let scale = vector("Scale"), let bias = vector("Bias"), let mean = vector("Mean"), let variance = vector("Variance")
            else { return nil }
            let epsilon = Double(Float(op.float("epsilon", default: 1e-5)))
            let k = (0..<channels).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
            return (k, (0..<channels).map { bias[$0] - mean[$0] * k[$0] })
        default:
            return nil
        }
    }

    /// The other input of `op` when it is `elementwise_add` of `x` and a same-shaped f32 activation.
    static func residual(_ op: OpDesc, x: String, graph: Int8Graph) -> String? {
        guard op.type == "elementwise_add", let a = op.inputs["X"], let b = op.inputs["Y"], a.count == 1, b.count == 1,
              a[0] == x || b[0] == x, a[0] != b[0] else { return nil }
        let other = a[0] == x ? b[0] : a[0]
        guard let xv = graph.variable(x), let ov = graph.variable(other), !ov.persistable, ov.dtype == .f32,
              xv.shape == ov.shape, xv.shape.count >= 2 else { return nil }
        return other
    }
}
