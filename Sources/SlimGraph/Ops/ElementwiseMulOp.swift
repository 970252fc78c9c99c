import SlimTensor

/// `elementwise_mul`: `Out = X * Y`, `Y` broadcast onto `X` as in `elementwise_add`.
///
/// Backward: `dX = dOut * Y`, `dY = reduceSum(dOut * X)` over the broadcast dims.
public enum ElementwiseMulOp: ElementwiseBinaryOperator {
    public static let type = "elementwise_mul"

    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor { Kernels.multiply(x, y, axis: axis) }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.floatInput("X"), y = try context.floatInput("Y"), axis = context.op.int("axis", default: -1)
        if context.needsGrad("X") { context.addInputGrad("X", 0, Kernels.multiply(dOut, y, axis: axis)) }
        if context.needsGrad("Y") { context.addInputGrad("Y", 0, try reduced(Kernels.multiply(dOut, x), context)) }
    }
}
