import SlimTensor

/// `elementwise_div`: `Out = X / Y`, `Y` broadcast onto `X` as in `elementwise_add`.
///
/// Backward: `dX = dOut / Y`, `dY = -reduceSum(dOut * X / Y^2)` over the broadcast dims.
public enum ElementwiseDivOp: ElementwiseBinaryOperator {
    public static let type = "elementwise_div"

    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor { Kernels.divide(x, y, axis: axis) }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.floatInput("X"), y = try context.floatInput("Y"), axis = context.op.int("axis", default: -1)
        if context.needsGrad("X") { context.addInputGrad("X", 0, Kernels.divide(dOut, y, axis: axis)) }
        if context.needsGrad("Y") {
            let t = Kernels.divide(Kernels.divide(Kernels.multiply(dOut, x), y, axis: axis), y, axis: axis)
            context.addInputGrad("Y", 0, Kernels.eltwiseForward(try reduced(t, context), .linear(alpha: -1, beta: 0)))
        }
    }
}
