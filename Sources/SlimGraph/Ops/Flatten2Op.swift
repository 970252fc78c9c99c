import SlimTensor

/// `flatten2`: `Out = X` viewed as `[prod(dims[..<axis]), prod(dims[axis...])]` (`axis` 1, 0 gives
/// `[1, count]`). The optional `XShape` output is Paddle's marker `[0] + X.dims`.
/// Backward: `dX = dOut` reshaped to X.
public enum Flatten2Op: Operator {
    public static let type = "flatten2"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        return ["Out": [try flattenedShape(op, x)], "XShape": [[0] + x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        context.setOutput("Out", 0, x.reshaped(try flattenedShape(context.op, x.shape)))
        context.setOutput("XShape", 0, Tensor(shape: [0] + x.shape))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        context.addInputGrad("X", 0, dOut.reshaped(try context.input("X").shape))
    }

    private static func flattenedShape(_ op: OpDesc, _ x: [Int]) throws -> [Int] {
        let axis = op.int("axis", default: 1)
        guard axis >= 0, axis <= x.count else {
            throw GraphError("op 'flatten2': axis \(axis) is out of range for X \(x)")
        }
        return [ShapeInference.product(x[..<axis]), ShapeInference.product(x[axis...])]
    }
}
