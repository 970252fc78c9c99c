import SlimGraph
import SlimTensor

/// `fake_channel_wise_quantize_abs_max`: quantizes weights with one scale per output channel,
/// the channel being axis 0 (conv filters `[O, C/g, KH, KW]`), as in Paddle Fluid 1.6.
///
///     s[o] = max |x[o, ...]|,   Out[o, ...] = round(bin / s[o] * clip(x[o, ...], -s[o], s[o])),   OutScale = s  ([O])
///
/// Paddle 1.6 quantized only conv filters per channel; `mul` weights (`[K, N]`, whose output
/// channel is axis 1) get per-tensor `fake_quantize_abs_max` from the transform pass instead.
/// Gradient (straight-through): `dX = dOut` where `|x| <= s[o]`, 0 elsewhere: `dOut` itself when
/// every element is finite (each channel's maximum bounds it).
public enum FakeChannelWiseQuantizeAbsMaxOp: Operator {
    public static let type = "fake_channel_wise_quantize_abs_max"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first, let channels = x.first else {
            throw GraphError("op '\(type)' needs input X with a channel axis 0")
        }
        return ["Out": [x], "OutScale": [[channels]]]
    }

    public static func forward(_ context: OpContext) throws { try run(context, .quantized) }

    /// The forward, writing `output` to `Out`.
    static func run(_ context: OpContext, _ output: FakeQuant.Output) throws {
        let bits = try FakeQuant.bits(of: context.op)
        let x = try context.floatInput("X")
        guard let channels = x.shape.first, channels > 0 else {
            throw GraphError("op '\(type)': X \(x.shape) has no channel axis 0")
        }
        let (scales, finite) = FakeQuant.channelAbsMaxCheckingFinite(x, channels: channels)
        context.setOutput("Out", 0, output == .quantized ? FakeQuant.quantize(x, scales: scales, bits: bits)
                                                          : FakeQuant.quantizeDequantize(x, scales: scales, bits: bits))
        context.setOutput("OutScale", 0, Tensor(shape: [channels], floats: scales))
        context.saved["scales"] = scales
        context.saved["unmasked"] = finite
    }

    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
