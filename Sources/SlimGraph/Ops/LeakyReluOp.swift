import SlimTensor

/// `leaky_relu`: `Out = X` where `X > 0`, `alpha * X` elsewhere (any shape; `alpha` defaults to
/// 0.02 as in Paddle 1.6); backward `dX = dOut` where `X > 0`, `alpha * dOut` elsewhere (at
/// exactly 0 Paddle takes slope 1, oneDNN `alpha`). Runs as oneDNN's eltwise relu with a
/// negative slope.
public enum LeakyReluOp: Operator {
    public static let type = "leaky_relu"

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

    /// The kernel's activation for attr `alpha`, which must be finite.
    private static func kind(_ op: OpDesc) throws -> EltwiseKind {
        let alpha = Float(op.float("alpha", default: 0.02))
        guard alpha.isFinite else { throw GraphError("op 'leaky_relu': alpha \(alpha) must be finite") }
        return .leakyRelu(alpha: alpha)
    }
}
