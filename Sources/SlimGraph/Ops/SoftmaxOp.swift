import SlimTensor

/// `softmax`: `Out = exp(X - max) / sum exp(X - max)` along `axis` (-1: the last);
/// backward `dX = Out * (dOut - sum_axis(dOut * Out))`.
public enum SoftmaxOp: Operator {
    public static let type = "softmax"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        _ = try ShapeInference.axis(op.int("axis", default: -1), rank: x.count, of: op)
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let axis = try ShapeInference.axis(context.op.int("axis", default: -1), rank: x.shape.count, of: context.op)
        // As [outer, n, inner] so any rank runs on the rank-3 kernel.
        let n = x.shape[axis], outer = x.shape[..<axis].reduce(1, *)
        let y = Kernels.softmax(x.reshaped([outer, n, x.count / max(outer * n, 1)]), axis: 1, memo: context.memo { KernelCallMemo() })
        context.setOutput("Out", 0, y.reshaped(x.shape))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let y = try context.output("Out")
        let axis = try ShapeInference.axis(context.op.int("axis", default: -1), rank: y.shape.count, of: context.op)
        context.addInputGrad("X", 0, SoftmaxGradient.input(dy: dOut, output: y, axis: axis))
    }
}
