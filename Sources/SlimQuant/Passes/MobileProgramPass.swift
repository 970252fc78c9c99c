import SlimGraph

/// Prepares a frozen INT8 program for mobile runtimes, as Paddle Fluid 1.6's
/// `TransformForMobilePass` (`mobile_model_save_path`): every fake quantizer becomes a `quantize`
/// op and every fake dequantizer a `dequantize` op, slots and attrs unchanged.
///
/// slim's executor does not run `quantize`/`dequantize`; the result is for saving only.
/// (slim's `QuantizationStrategy` writes the INT8 model as QDQ ONNX to `mobile_model_save_path`
/// instead: a form runtimes load.)
public struct MobileProgramPass: Sendable {
    public init() {}

    /// Renames the fake-quant ops of `program`.
    public func apply(to program: inout Program) {
        for i in program.ops.indices {
            if QuantOps.quantizeTypes.contains(program.ops[i].type) {
                program.ops[i].type = "quantize"
            } else if QuantOps.dequantizeTypes.contains(program.ops[i].type) {
                program.ops[i].type = "dequantize"
            }
        }
    }
}
