import SlimGraph
import SlimQuant

/// The float round trip of an asymmetric activation quantizer in a frozen program
/// (`fake_quantize_dequantize_moving_average_abs_max` with `is_test`, a stored scale `s` and attr
/// `zero_point` z: what `slim import` writes where ONNX Runtime's QDQ model rounds a value that a
/// float op reads): `QuantizeLinear(s / 127, uint8 z) -> DequantizeLinear`, the same rounding (half
/// to even) and saturation. The symmetric QAT form is refused: a QAT program is frozen first.
enum QuantizeDequantizeConverter: OpConverter {
    static let opTypes = ["fake_quantize_dequantize_moving_average_abs_max"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let zeroPoint: Int?
        do { zeroPoint = try FakeQuant.zeroPoint(of: op) } catch let error as GraphError { throw ONNXExportError.op(op, error.message) }
        guard let z = zeroPoint, op.bool("is_test", default: false), op.int("bit_length", default: 8) == 8 else {
            throw ONNXExportError.op(op, "is a QAT quantize-dequantize, not part of a frozen program",
                                     hints: ["freeze it first: slim freeze --model_path <checkpoint>/eval_model --weight_quant_type ... --save_path OUT, then export OUT/float or OUT/int8"])
        }
        let x = try context.floatInput(op, "X")
        let stored = try context.storedScale(of: op).value
        let out = try context.outputName(op, "Out")
        let scale = context.graph.scalar(ExportContext.guarded(stored) / 127, name: "\(out).scale")
        let zero = context.graph.uint8Zero(UInt8(z))
        let quantized = context.graph.add("QuantizeLinear", [x, scale, zero], output: "\(out).uint8")
        context.set(out, .float(context.graph.add("DequantizeLinear", [quantized, scale, zero], output: out)))
    }
}
