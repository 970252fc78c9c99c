import SlimGraph
import SlimTensor

/// `int8_quantize` (slim's INT8 engine: the FP32 -> INT8 edge): quantizes f32 `X` to integer
/// activations `Out` (u8 or s8, attr `out_dtype`) exactly as the frozen program's activation
/// quantizer does, with `bin = 2^(bit_length-1) - 1`:
///
///     s = InScale (static: range / moving-average abs max) or max |X| (dynamic: abs_max, no InScale)
///     Out = round(bin / s * clip(X, -s, s))     half away from zero; s guarded as in `FakeQuant`
///
/// u8 is used where the lowering proved `X >= 0` (negative values would clamp to 0). `OutScale`
/// [1] (optional) receives `s`, for the dequantizer of a dynamic-scale chain.
public enum Int8QuantizeOp: Operator {
    public static let type = "int8_quantize"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x], "OutScale": [[1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let bits = try FakeQuant.bits(of: op)
        guard bits <= 8 else { throw GraphError("op '\(type)': bit_length \(bits) does not fit 8-bit activations") }
        let x = try context.floatInput("X")
        let s = context.hasInput("InScale")
            ? try FakeQuant.scalar(try context.input("InScale"), slot: "InScale", of: op) : FakeQuant.absMax(x)
        let bin = FakeQuant.bin(bits: bits)
        let q: Tensor
        switch op.string("out_dtype", default: "s8") {
        case "u8": q = Kernels.quantize(x, scale: bin / FakeQuant.guarded(s), to: .u8, quantMin: 0, quantMax: Int(bin))
        case "s8": q = Kernels.quantize(x, scale: bin / FakeQuant.guarded(s), to: .s8, quantMin: -Int(bin), quantMax: Int(bin))
        case let other: throw GraphError("op '\(type)': out_dtype must be u8 or s8, got '\(other)'")
        }
        context.setOutput("Out", 0, q)
        context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
    }
}
