import SlimTensor

/// `elementwise_add`: `Out = X + Y`, `Y` broadcast onto `X` with its dims aligned to `X`'s
/// starting at `axis` (`-1`: aligned to the right); each `Y` dim equals `X`'s or is 1.
///
/// Backward: `dX = dOut`, `dY = reduceSum(dOut)` over the broadcast dims.
public enum ElementwiseAddOp: ElementwiseBinaryOperator {
    public static let type = "elementwise_add"
    public static let runsOnPrimitives = true

    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor { Kernels.add(x, y, axis: axis) }

    /// The protocol's forward with the op's last add primitive kept (`KernelCallMemo`).
    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        _ = try alignedShape(context.op, x: x.shape, y: y.shape)
        let memo = context.memo { KernelCallMemo() }
        context.setOutput("Out", 0, Kernels.add(x, y, axis: context.op.int("axis", default: -1), memo: memo))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        if context.needsGrad("X") { context.addInputGrad("X", 0, dOut) }
        if context.needsGrad("Y") { context.addInputGrad("Y", 0, try reduced(dOut, context)) }
    }
}
