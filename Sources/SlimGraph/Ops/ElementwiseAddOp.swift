import SlimTensor

/// `elementwise_add`: `Out = X + Y`, `Y` broadcast onto `X` with its dims aligned to `X`'s
/// starting at `axis` (`-1`: aligned to the right); each `Y` dim equals `X`'s or is 1.
///
/// Backward: `dX = dOut`, `dY = reduceSum(dOut)` over the broadcast dims.
public enum ElementwiseAddOp: Operator {
    public static let type = "elementwise_add"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), y = try ShapeInference.shape(inputs, "Y", of: op)
        _ = try alignedShape(op, x: x, y: y)
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        _ = try alignedShape(context.op, x: x.shape, y: y.shape)
        let memo = context.memo { KernelCallMemo() }
        context.setOutput("Out", 0, Kernels.add(x, y, axis: context.op.int("axis", default: -1), memo: memo))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        if context.needsGrad("X") { context.addInputGrad("X", 0, dOut) }
        if context.needsGrad("Y") {
            let y = try context.input("Y")
            let aligned = try alignedShape(context.op, x: dOut.shape, y: y.shape)
            context.addInputGrad("Y", 0, Kernels.reduceSum(dOut, to: aligned).reshaped(y.shape))
        }
    }

    /// Y's shape padded with 1s to X's rank at `axis`; throws when the dims do not broadcast.
    static func alignedShape(_ op: OpDesc, x: [Int], y: [Int]) throws -> [Int] {
        let axis = op.int("axis", default: -1)
        let start = axis < 0 ? x.count - y.count : axis
        guard (1...5).contains(x.count) else {
            throw GraphError("op 'elementwise_add': X \(x) has rank \(x.count), supported ranks are 1 to 5")
        }
        guard y.count <= x.count, start >= 0, start + y.count <= x.count else {
            throw GraphError("op 'elementwise_add': Y \(y) cannot be aligned to X \(x) at axis \(axis)")
        }
        var shape = [Int](repeating: 1, count: x.count)
        for (i, d) in y.enumerated() {
            guard d == 1 || ShapeInference.compatible(d, x[start + i]) else {
                throw GraphError("op 'elementwise_add': Y \(y) does not broadcast onto X \(x) at axis \(axis) (dim \(start + i): \(d) vs \(x[start + i]))")
            }
            shape[start + i] = d
        }
        return shape
    }
}
