import SlimGraph
import SlimTensor

/// `fake_dequantize_max_abs`: `Out = X * Scale / max_range` (`Scale` one value).
///
/// After a quantizer `max_range = bin`, so `Out = q * s / bin`. After a frozen quantized op with
/// per-tensor weights the freeze pass sets `max_range = bin_a * bin_w / s_w` and `Scale = s_act`,
/// so `Out = out * s_act * s_w / (bin_a * bin_w)`. A zero `max_range` (1 bit) gives 0.
/// Gradient (straight-through): `dX = dOut`, unchanged.
public enum FakeDequantizeMaxAbsOp: Operator {
    public static let type = "fake_dequantize_max_abs"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        guard let range = op.attrs["max_range"]?.floatValue, range.isFinite, range >= 0 else {
            throw GraphError("op '\(type)' needs a finite attr max_range >= 0")
        }
        let x = try context.floatInput("X")
        let s = try FakeQuant.scalar(try context.input("Scale"), slot: "Scale", of: op)
        context.setOutput("Out", 0, FakeQuant.dequantize(x, scales: [s], axis: 0, range: Float(range)))
    }

    public static func backward(_ context: OpContext) throws { context.passGradToX() }
}
