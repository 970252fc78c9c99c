import SlimTensor

/// `relu6`: `Out = min(max(X, 0), threshold)` (`threshold` 6); backward
/// `dX = dOut * (0 < X < threshold)`.
public enum Relu6Op: Operator {
    public static let type = "relu6"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        _ = try kind(op)
        return ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        context.setOutput("Out", 0, Kernels.eltwiseForward(x, try kind(context.op)))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        context.addInputGrad("X", 0, Kernels.eltwiseBackward(dOut, input: x, try kind(context.op)))
    }

    /// The kernel's clip for `threshold` (the dedicated relu6 kind for the default 6).
    private static func kind(_ op: OpDesc) throws -> EltwiseKind {
        let t = Float(op.float("threshold", default: 6))
        guard t > 0, t.isFinite else { throw GraphError("op 'relu6': threshold \(t) must be positive") }
        return t == 6 ? .relu6 : .clip(lo: 0, hi: t)
    }
}
