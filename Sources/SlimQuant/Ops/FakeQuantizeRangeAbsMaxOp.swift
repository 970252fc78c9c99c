import SlimGraph
import SlimTensor

/// `fake_quantize_range_abs_max`: quantizes activations with the largest batch maximum of a
/// sliding window of the last `window_size` (10000) training batches.
///
/// Training (`Iter` = batches seen so far, `m = max |x|` of this batch):
///
///     window[Iter % window_size] = m
///     s = max(window[0 ..< min(Iter + 1, window_size)])      (the last min(Iter+1, window_size) maxima)
///     Out = round(bin / s * clip(x, -s, s)),   OutScale = [s],   OutScales = window,   Iter += 1
///
/// Eval (`is_test` or an eval-mode run): `s = InScale`, stored state untouched.
///
/// Slots beyond Paddle's: the previous window is read from the optional input `InScales` (the
/// `OutScales` var; our executor only hands ops their inputs). Without it the window starts empty.
/// Paddle 1.6 also keeps the initial `InScale` (0.001) as a floor until the first eviction; here
/// the scale is exactly the window's maximum. `Iter` is an s32 `[1]` var per quantized input.
/// Gradient (straight-through): `dX = dOut` where `|x| <= s`, 0 elsewhere.
public enum FakeQuantizeRangeAbsMaxOp: Operator {
    public static let type = "fake_quantize_range_abs_max"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x], "OutScale": [[1]], "OutScales": [[op.int("window_size", default: 10000)]], "Iter": [[1]]]
    }

    public static func forward(_ context: OpContext) throws { try run(context, .quantized) }

    /// The forward, writing `output` to `Out`.
    static func run(_ context: OpContext, _ output: FakeQuant.Output) throws {
        try FakeQuant.forwardPerTensor(context, output) { x in try updateWindow(context, batchMax: FakeQuant.batchAbsMax(x)) }
    }

    /// Records `batchMax` in the window, advances `Iter`, and returns the window's maximum.
    private static func updateWindow(_ context: OpContext, batchMax: Float) throws -> Float {
        let op = context.op
        let size = op.int("window_size", default: 10000)
        guard size >= 1 else { throw GraphError("op '\(type)': window_size must be >= 1, got \(size)") }
        let iterTensor = try context.input("Iter")
        guard iterTensor.dtype == .s32, iterTensor.count == 1 else {
            throw GraphError("op '\(type)': Iter must be one s32 value, got \(iterTensor.dtype)\(iterTensor.shape)")
        }
        let iter = max(0, Int(iterTensor.withUnsafeElements(as: Int32.self) { $0[0] }))
        var window = context.hasInput("InScales") ? try context.floatInput("InScales") : Tensor(shape: [size])
        guard window.count == size else {
            throw GraphError("op '\(type)': InScales has \(window.count) values, window_size is \(size)")
        }
        window = window.reshaped([size])
        let s = window.withUnsafeMutableFloats { w -> Float in
            w[iter % size] = batchMax
            return w[0 ..< min(iter + 1, size)].reduce(Float(0), max)
        }
        context.setOutput("OutScales", 0, window)
        context.setOutput("Iter", 0, Tensor(shape: [1], dtype: .s32, integers: [iter + 1]))
        return s
    }

    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
