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
        let product = Kernels.batchedMatmul(x.reshaped([n, c1, hw]), y.reshaped([n, c2, hw]), transposeB: true)
        context.setOutput("Out", 0, scaled(product, by: 1 / Float(max(hw, 1))))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.input("X"), y = try context.input("Y")
        let (n, c1, c2, hw) = (x.shape[0], x.shape[1], y.shape[1], x.shape[2] * x.shape[3])
        let g = scaled(dOut.reshaped([n, c1, c2]), by: 1 / Float(max(hw, 1)))
        if context.needsGrad("X") {
            context.addInputGrad("X", 0, Kernels.batchedMatmul(g, y.reshaped([n, c2, hw])).reshaped(x.shape))
        }
        if context.needsGrad("Y") {
            context.addInputGrad("Y", 0, Kernels.batchedMatmul(g, x.reshaped([n, c1, hw]), transposeA: true).reshaped(y.shape))
        }
    }

    /// `t * factor` element by element (the FSP matrices are small: N x C1 x C2).
    private static func scaled(_ t: Tensor, by factor: Float) -> Tensor {
        t.mapElements(Float.self, to: .f32, as: Float.self) { src, dst in
            for i in src.indices { dst[i] = src[i] * factor }
        }
    }
}
