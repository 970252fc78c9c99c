import SlimTensor

/// An op that is one oneDNN element-wise activation of `X` into `Out` (any shape): `relu`,
/// `relu6`, `leaky_relu`. A conformer says which activation its attrs ask for; forward is the
/// kernel's forward, backward `dX = dOut * f'(X)` the kernel's backward on the op's input.
protocol EltwiseOperator: Operator {
    /// The kernel's activation for `op`'s attrs.
    /// - Throws: `GraphError` for attrs the activation cannot take.
    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind
}

extension EltwiseOperator {
    public static var runsOnPrimitives: Bool { true }

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        _ = try eltwiseKind(op)
        return ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let memo = context.memo { KernelCallMemo() }
        context.setOutput("Out", 0, Kernels.eltwiseForward(x, try eltwiseKind(context.op), training: context.isTraining, memo: memo))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        context.addInputGrad("X", 0, Kernels.eltwiseBackward(dOut, input: x, try eltwiseKind(context.op)))
    }
}
