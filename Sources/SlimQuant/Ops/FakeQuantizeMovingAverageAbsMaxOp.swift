import SlimGraph
import SlimTensor

/// `fake_quantize_moving_average_abs_max`: quantizes activations with a moving average of the
/// batch maxima (`r` = `moving_rate`, 0.9).
///
/// Training (`m = max |x|` of this batch):
///
///     state = r * state + 1,   accum = r * accum + m,   s = accum / state
///     Out = round(bin / s * clip(x, -s, s))
///
/// With the initial `state = accum = 1` (and `scale = 0.001`), the first batch gives
/// `s = (r + m) / (r + 1)`. `OutScale`, `OutAccum`, `OutState` are the `InScale`, `InAccum`,
/// `InState` vars, written back. Eval (`is_test` or an eval-mode run): `s = InScale`, nothing
/// updated; `InAccum`/`InState` may then be absent (the frozen program drops them).
/// Gradient (straight-through): `dX = dOut` where `|x| <= s`, 0 elsewhere.
public enum FakeQuantizeMovingAverageAbsMaxOp: Operator {
    public static let type = "fake_quantize_moving_average_abs_max"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x], "OutScale": [[1]], "OutAccum": [[1]], "OutState": [[1]]]
    }

    public static func forward(_ context: OpContext) throws { try run(context, .quantized) }

    /// The forward, writing `output` to `Out`.
    static func run(_ context: OpContext, _ output: FakeQuant.Output) throws {
        try FakeQuant.forwardPerTensor(context, output) { x in
            let op = context.op
            let r = Float(op.float("moving_rate", default: 0.9))
            let state = r * (try FakeQuant.scalar(try context.input("InState"), slot: "InState", of: op)) + 1
            let accum = r * (try FakeQuant.scalar(try context.input("InAccum"), slot: "InAccum", of: op)) + FakeQuant.batchAbsMax(x)
            context.setOutput("OutState", 0, Tensor(shape: [1], floats: [state]))
            context.setOutput("OutAccum", 0, Tensor(shape: [1], floats: [accum]))
            return accum / state
        }
    }

    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
