import SlimTensor

/// An op `Out = X (op) Y` with `Y` broadcast onto `X` as in `elementwise_add`: `Y`'s dims
/// aligned to `X`'s starting at `axis` (`-1`: from the right), each equal or 1.
protocol ElementwiseBinaryOperator: Operator {
    /// The kernel computing `X (op) Y` for `Y` aligned at `axis`.
    static func apply(_ x: Tensor, _ y: Tensor, axis: Int) -> Tensor
}

extension ElementwiseBinaryOperator {
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), y = try ShapeInference.shape(inputs, "Y", of: op)
        _ = try alignedShape(op, x: x, y: y)
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        _ = try alignedShape(context.op, x: x.shape, y: y.shape)
        context.setOutput("Out", 0, apply(x, y, axis: context.op.int("axis", default: -1)))
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

    /// `t` summed down to Y's shape (the gradient of the broadcast).
    static func reduced(_ t: Tensor, _ context: OpContext) throws -> Tensor {
        let y = try context.input("Y")
        let aligned = try alignedShape(context.op, x: t.shape, y: y.shape)
        return Kernels.reduceSum(t, to: aligned).reshaped(y.shape)
    }
}
