import SlimGraph
import SlimTensor

/// An activation quantizer of a frozen program (`fake_quantize_*` in eval form) that the INT8
/// engine can replace: 1...8 bits, f32 input that is not a weight.
///
/// Its scale is static (`range_abs_max` / `moving_average_abs_max`: the stored `InScale`, known
/// when lowering) or dynamic (`abs_max`: `max |x|` of each batch, known only at run time).
struct ActivationQuantizer {
    var index: Int
    var input: String
    /// `Out`: integer values, read by the quantized ops.
    var output: String
    /// `OutScale`: the var the dequantizers read (the `InScale` var for static scales).
    var scaleVar: String
    var bits: Int
    /// The stored scale `s` (nil: dynamic).
    var staticScale: Float?
    /// The uint8 zero point of an asymmetric quantizer (attr `zero_point`, static scale, 8 bits):
    /// its `Out` is `clamp(round(x * bin / s), -z, 255 - z)` and the INT8 engine stores `Out + z`
    /// as u8 (0...255). nil: symmetric.
    var zeroPoint: Int?

    var bin: Float { FakeQuant.bin(bits: bits) }
    /// `bin / s`, with `s` guarded as `FakeQuant.quantize` does (static scales only).
    var levelsPerUnit: Float? { staticScale.map { bin / FakeQuant.guarded($0) } }

    /// The replaceable activation quantizers of `program`, by `Out` var.
    static func all(in program: Program, params: [String: Tensor]) throws -> [String: ActivationQuantizer] {
        var result: [String: ActivationQuantizer] = [:]
        for (i, op) in program.ops.enumerated() {
            if let q = try ActivationQuantizer(op, index: i, program: program, params: params) { result[q.output] = q }
        }
        return result
    }

    /// nil for any other op, weight quantizers, more than 8 bits or non-f32 vars.
    init?(_ op: OpDesc, index: Int, program: Program, params: [String: Tensor]) throws {
        let staticTypes = [FakeQuantizeRangeAbsMaxOp.type, FakeQuantizeMovingAverageAbsMaxOp.type]
        guard op.type == FakeQuantizeAbsMaxOp.type || staticTypes.contains(op.type),
              let x = op.input("X"), let out = op.output("Out"), let scale = op.output("OutScale"),
              let xv = program.variable(x), !xv.persistable, xv.dtype == .f32 else { return nil }
        let bits = try FakeQuant.bits(of: op)
        guard bits <= 8 else { return nil }
        if staticTypes.contains(op.type) {
            guard let inScale = op.input("InScale"), let s = params[inScale], s.dtype == .f32, s.count == 1 else {
                throw GraphError("quantizer '\(op.type)' of '\(x)' needs the value of its InScale var",
                                 hints: ["load the model's params (the frozen activation scales) before lowering"])
            }
            staticScale = s.floats[0]
        } else {
            staticScale = nil
        }
        zeroPoint = try FakeQuant.zeroPoint(of: op)
        if zeroPoint != nil {
            guard bits == 8, staticScale != nil else {
                throw GraphError("quantizer '\(op.type)' of '\(x)' has a zero_point: it needs a static scale and 8 bits")
            }
        }
        self.index = index
        (input, output, scaleVar, self.bits) = (x, out, scale, bits)
    }
}
