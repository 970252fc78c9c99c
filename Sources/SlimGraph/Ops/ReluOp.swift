import SlimTensor

/// `relu`: `Out = max(X, 0)` (any shape); backward `dX = dOut * (X > 0)`.
public enum ReluOp: Operator {
    public static let type = "relu"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        context.setOutput("Out", 0, Kernels.eltwiseForward(x, .relu))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        context.addInputGrad("X", 0, Kernels.eltwiseBackward(dOut, input: x, .relu))
    }
}
