import SlimTensor

/// `elementwise_add`: `Out = X + Y`, `Y` broadcast onto `X` with its dims aligned to `X`'s
/// starting at `axis` (`-1`: aligned to the right); each `Y` dim equals `X`'s or is 1.
///
/// Backward: `dX = dOut`, `dY = reduceSum(dOut)` over the broadcast dims.
public enum ElementwiseAddOp: ElementwiseBinaryOperator {
    public static let type = "elementwise_add"

    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor { Kernels.add(x, y, axis: axis) }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        if context.needsGrad("X") { context.addInputGrad("X", 0, dOut) }
        if context.needsGrad("Y") { context.addInputGrad("Y", 0, try reduced(dOut, context)) }
    }
}
