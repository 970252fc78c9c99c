import SlimGraph
import SlimQuant

/// The activation quantizers of a frozen program (`fake_quantize_abs_max`, and the eval forms of
/// `fake_quantize_range_abs_max` / `fake_quantize_moving_average_abs_max` with their stored scale
/// `InScale`). No node is emitted here: `Out` is recorded as a quantized activation, and each
/// quantized op that reads it emits `QuantizeLinear(s / bin) -> DequantizeLinear` in front of itself.
enum ActivationQuantizerConverter: OpConverter {
    static let opTypes = ["fake_quantize_abs_max", "fake_quantize_range_abs_max", "fake_quantize_moving_average_abs_max"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.inputName(op, "X")
        if context.program.variable(x)?.persistable == true {
            throw ONNXExportError.op(op, "quantizes the weight '\(x)' at run time: this is a QAT program, not a frozen one",
                                     hints: ["freeze it first: slim freeze --model_path <checkpoint>/eval_model --weight_quant_type ... --save_path OUT, then export OUT/float or OUT/int8"])
        }
        let bits = op.int("bit_length", default: 8)
        guard (2...8).contains(bits) else {
            throw ONNXExportError.op(op, "bit_length \(bits) of '\(x)' cannot be exported as int8 QDQ (2...8 bits can)")
        }
        let source = try context.float(x, for: op)
        var scaleVars = Set(op.outputs["OutScale"] ?? [])
        var stored: Float?
        if op.type != "fake_quantize_abs_max" {
            let scale = try context.storedScale(of: op)
            stored = scale.value
            scaleVars.insert(scale.name)
        }
        let zeroPoint: Int?
        do { zeroPoint = try FakeQuant.zeroPoint(of: op) } catch let error as GraphError { throw ONNXExportError.op(op, error.message) }
        if zeroPoint != nil, stored == nil || bits != 8 {
            throw ONNXExportError.op(op, "has a zero_point: an asymmetric quantizer needs a stored scale and 8 bits, has bit_length \(bits)")
        }
        let out = try context.outputName(op, "Out")
        context.set(out, .quantizedActivation(ActivationQuantization(
            quantizedVar: out, source: source, scaleVars: scaleVars, bits: bits, storedScale: stored, opType: op.type,
            nonNegative: context.isNonNegative(x), zeroPoint: zeroPoint)))
    }
}
