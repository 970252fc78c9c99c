import SlimGraph
import SlimTensor

/// `fake_channel_wise_dequantize_max_abs`: dequantizes with per-channel scales, as Paddle 1.6.
///
/// - One scale var (`Scales = [s]`, `quant_bits = [b]`, after a channel-wise weight quantizer):
///   channel axis 0, `Out[c, ...] = X[c, ...] * s[c] / bin(b)`.
/// - Two (`Scales = [s_w, s_act]`, `quant_bits = [b_w, b_a]`, after a frozen conv): channel
///   axis 1 (the output channel of NCHW), `Out[n, c, ...] = X[n, c, ...] * s_w[c] * s_act / (bin(b_w) * bin(b_a))`.
///
/// A zero range (1 bit) gives 0. Gradient (straight-through): `dX = dOut`, unchanged.
public enum FakeChannelWiseDequantizeMaxAbsOp: Operator {
    public static let type = "fake_channel_wise_dequantize_max_abs"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let x = try context.floatInput("X")
        let scales = try context.inputs("Scales")
        let bits = op.ints("quant_bits", default: [8])
        guard scales.count == 1 || scales.count == 2, bits.count == scales.count,
              bits.allSatisfy(FakeQuant.bitRange.contains) else {
            throw GraphError("op '\(type)' needs 1 or 2 Scales and as many quant_bits in 1...16, got \(scales.count) and \(bits)")
        }
        let axis = scales.count - 1
        guard scales.allSatisfy({ $0.dtype == .f32 }), x.shape.count > axis, scales[0].count == x.shape[axis] else {
            throw GraphError("op '\(type)': \(scales[0].count) channel scales for X \(x.shape) on axis \(axis)")
        }
        let extra = scales.count == 2 ? try FakeQuant.scalar(scales[1], slot: "Scales[1]", of: op) : 1
        let range = bits.map { FakeQuant.bin(bits: $0) }.reduce(1, *)
        context.setOutput("Out", 0, FakeQuant.dequantize(x, scales: scales[0].floats, axis: axis, extra: extra, range: range))
    }

    public static func backward(_ context: OpContext) throws { context.passGradToX() }
}
