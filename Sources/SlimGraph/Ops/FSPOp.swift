import SlimTensor

/// `fsp` (Paddle 1.6 `fluid.layers.fsp_matrix`): the flow-of-solution-procedure matrix of two
/// feature maps of the same spatial size, `X` [N, C1, H, W] and `Y` [N, C2, H, W]:
///
///     Out[n, i, j] = sum_{h,w} X[n, i, h, w] * Y[n, j, h, w] / (H * W)      Out: [N, C1, C2]
///
/// Backward: `dX[n, i, hw] = sum_j dOut[n, i, j] * Y[n, j, hw] / (H * W)` and
/// `dY[n, j, hw] = sum_i dOut[n, i, j] * X[n, i, hw] / (H * W)`.
public enum FSPOp: Operator {
    public static let type = "fsp"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), y = try ShapeInference.shape(inputs, "Y", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        try ShapeInference.requireRank(y, [4], "Y", of: op)
        guard ShapeInference.compatible(x[0], y[0]), ShapeInference.compatible(x[2], y[2]), ShapeInference.compatible(x[3], y[3]) else {
            throw GraphError("op '\(type)': X \(x) and Y \(y) differ in batch or spatial size",
                             hints: ["an FSP pair takes two feature maps of the same height and width"])
        }
        return ["Out": [[ShapeInference.merge(x[0], y[0]), x[1], y[1]]]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        _ = try inferShapes(context.op, inputs: ["X": [x.shape], "Y": [y.shape]])
        let (n, c1, c2, hw) = (x.shape[0], x.shape[1], y.shape[1], x.shape[2] * x.shape[3])
        let inv = 1 / Float(max(hw, 1))
        var out = Tensor(shape: [n, c1, c2])
        out.withUnsafeMutableFloats { o in
            x.withUnsafeFloats { a in
                y.withUnsafeFloats { b in
                    for s in 0..<n {
                        for i in 0..<c1 {
                            let ai = (s * c1 + i) * hw
                            for j in 0..<c2 {
                                let bj = (s * c2 + j) * hw
                                var sum: Float = 0
                                for k in 0..<hw { sum += a[ai + k] * b[bj + k] }
                                o[(s * c1 + i) * c2 + j] = sum * inv
                            }
                        }
                    }
                }
            }
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.input("X"), y = try context.input("Y")
        if context.needsGrad("X") { context.addInputGrad("X", 0, gradient(dOut, other: y, like: x, transposed: false)) }
        if context.needsGrad("Y") { context.addInputGrad("Y", 0, gradient(dOut, other: x, like: y, transposed: true)) }
    }

    /// `d[n, r, hw] = sum_q G[n, r, q] * other[n, q, hw] / HW`, where G is `dOut` (for X) or
    /// `dOut` transposed per sample (for Y).
    private static func gradient(_ dOut: Tensor, other: Tensor, like input: Tensor, transposed: Bool) -> Tensor {
        let n = input.shape[0], rows = input.shape[1], q = other.shape[1], hw = input.shape[2] * input.shape[3]
        let inv = 1 / Float(max(hw, 1))
        var d = Tensor(shape: input.shape)
        d.withUnsafeMutableFloats { out in
            dOut.withUnsafeFloats { g in
                other.withUnsafeFloats { b in
                    for s in 0..<n {
                        for r in 0..<rows {
                            let base = (s * rows + r) * hw
                            for k in 0..<hw { out[base + k] = 0 }
                            for j in 0..<q {
                                let w = (transposed ? g[(s * q + j) * rows + r] : g[(s * rows + r) * q + j]) * inv
                                let bj = (s * q + j) * hw
                                for k in 0..<hw { out[base + k] += w * b[bj + k] }
                            }
                        }
                    }
                }
            }
        }
        return d
    }
}
