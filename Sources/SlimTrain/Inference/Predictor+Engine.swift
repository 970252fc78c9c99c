import SlimGraph
import SlimQuant
import SlimTensor

extension Predictor {
    /// How a model directory's program is executed.
    public enum Engine: String, Sendable {
        /// The program as stored: FP32 ops, or a frozen float program's fake-quant ops.
        case float
        /// An INT8 model (s8 weights, `ConvertToInt8Pass` output) lowered by `Int8LoweringPass` to
        /// real integer kernels (u8/s8 activations, s8 weights, s32 accumulation).
        case int8
    }

    /// The program to run for a loaded model: an INT8 model is lowered to the INT8 engine (its
    /// ops registered on first use), anything else is returned unchanged.
    /// - Throws: `GraphError` when an INT8 model cannot be lowered (a missing activation scale).
    public static func executable(program: Program, params: [String: Tensor])
        throws -> (program: Program, params: [String: Tensor], engine: Engine) {
        guard program.persistables.contains(where: { $0.dtype == .s8 }) else { return (program, params, .float) }
        Int8Ops.register()
        var lowered = program, loweredParams = params
        try Int8LoweringPass().apply(to: &lowered, params: &loweredParams)
        return (lowered, loweredParams, .int8)
    }
}
