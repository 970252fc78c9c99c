import SlimTensor

/// `mean`: `Out` [1] `= sum(X) / count(X)`; backward `dX = dOut / count(X)` everywhere.
public enum MeanOp: Operator {
    public static let type = "mean"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        _ = try ShapeInference.shape(inputs, "X", of: op)
        return ["Out": [[1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        guard x.count > 0 else { throw GraphError("op 'mean': X \(x.shape) has no elements") }
        let sum = Kernels.reduceSum(x.reshaped([1, x.count]), to: [1, 1]).floats[0]
        context.setOutput("Out", 0, Tensor(shape: [1], floats: [sum / Float(x.count)]))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        context.addInputGrad("X", 0, Tensor.filled(dOut.floats[0] / Float(x.count), shape: x.shape))
    }
}
