import SlimTensor

/// `elementwise_sub`: `Out = X - Y`, `Y` broadcast onto `X` as in `elementwise_add`.
///
/// Backward: `dX = dOut`, `dY = -reduceSum(dOut)` over the broadcast dims.
public enum ElementwiseSubOp: ElementwiseBinaryOperator {
    public static let type = "elementwise_sub"

    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor { Kernels.subtract(x, y, axis: axis) }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        if context.needsGrad("X") { context.addInputGrad("X", 0, dOut) }
        if context.needsGrad("Y") {
            context.addInputGrad("Y", 0, Kernels.eltwiseForward(try reduced(dOut, context), .linear(alpha: -1, beta: 0)))
        }
    }
}
