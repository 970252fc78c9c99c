import SlimGraph

/// The dequantizer after a quantized op of a frozen program. The op was exported with
/// DequantizeLinear'd operands, so its ONNX output is already `out * s_a * s_w / (bin_a * bin_w)`:
/// the dequantizer's `Out` is that value, no node. Dequantizing anything else (a QAT program's
/// quantizer -> dequantizer pairs) is refused.
enum DequantizerConverter: OpConverter {
    static let opTypes = ["fake_dequantize_max_abs", "fake_channel_wise_dequantize_max_abs"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.inputName(op, "X")
        switch try context.value(x, for: op) {
        case let .quantizedOpOutput(onnx, _):
            context.set(try context.outputName(op, "Out"), .float(onnx))
        case let .quantizedActivation(q):
            throw ONNXExportError.op(op, "dequantizes '\(x)' straight from '\(q.opType)': this is a QAT program, not a frozen one",
                                     hints: ["freeze it first: slim freeze --model_path <checkpoint>/eval_model --weight_quant_type ... --save_path OUT, then export OUT/float or OUT/int8"])
        case .float:
            throw ONNXExportError.op(op, "dequantizes '\(x)', which is not the output of a quantized conv2d, depthwise_conv2d or mul")
        }
    }
}
