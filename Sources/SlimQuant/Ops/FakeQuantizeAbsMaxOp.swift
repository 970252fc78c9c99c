import SlimGraph
import SlimTensor

/// `fake_quantize_abs_max`: quantizes `X` with the scale of this very batch.
///
///     s = max |x|,   Out = round(bin / s * clip(x, -s, s)),   OutScale = [s]
///
/// `Out` holds integer values in f32. Used for weights (`abs_max`) and for activations with
/// `activation_quantize_type: abs_max` (the same in train and eval: there is no stored scale).
/// Gradient (straight-through): `dX = dOut` where `|x| <= s`, 0 elsewhere: `dOut` itself when every
/// element is finite (then `|x| <= s` everywhere), else 0 at the NaNs (and, with an infinity, the
/// scale guarded to `minimumScale`).
public enum FakeQuantizeAbsMaxOp: Operator {
    public static let type = "fake_quantize_abs_max"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x], "OutScale": [[1]]]
    }

    public static func forward(_ context: OpContext) throws { try run(context, .quantized) }

    /// The forward, writing `output` to `Out`.
    static func run(_ context: OpContext, _ output: FakeQuant.Output) throws {
        let x = try context.floatInput("X")
        let (s, finite) = FakeQuant.absMaxCheckingFinite(x)
        try FakeQuant.emitPerTensor(context, x: x, scale: s, output)
        context.saved["unmasked"] = finite
    }

    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
