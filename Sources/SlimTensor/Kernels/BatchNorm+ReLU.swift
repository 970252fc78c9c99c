/// What a batch norm + ReLU forward in training leaves for its backward: oneDNN's workspace (one
/// bit per output: whether it was positive). Pass it to the backward of that same call.
public final class BatchNormWorkspace: @unchecked Sendable {
    let memory: Memory
    /// The batch norm (shapes, epsilon, layout) it was made by; the backward checks it matches.
    let key: String

    init(memory: Memory, key: String) {
        self.memory = memory
        self.key = key
    }
}

extension Kernels {
    private static func reluShapes(_ x: Tensor, epsilon: Float) -> BatchNormShapes {
        var s = BatchNormShapes(x.shape, layout: x.layout, epsilon: epsilon)
        s.relu = true
        return s
    }

    /// `batchNormTraining` followed by ReLU in one primitive: y = max(bn(x), 0). Also returns the
    /// workspace `batchNormReLUBackward` needs.
    public static func batchNormReLUTraining(_ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float)
        -> (output: Tensor, mean: Tensor, variance: Tensor, workspace: BatchNormWorkspace) {
        let s = reluShapes(x, epsilon: epsilon)
        let r = batchNormTraining(x, scale: scale, shift: shift, s)
        return (r.output, r.mean, r.variance, BatchNormWorkspace(memory: r.workspace!, key: s.key))
    }

    /// `batchNormInference` followed by ReLU in one primitive: y = max(bn(x), 0).
    public static func batchNormReLUInference(_ x: Tensor, scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        batchNormInference(x, scale: scale, shift: shift, mean: mean, variance: variance, reluShapes(x, epsilon: epsilon))
    }

    /// Gradients of `batchNormReLUTraining`: `batchNormBackward` of dy * (y > 0), the mask read from
    /// the forward's `workspace`.
    public static func batchNormReLUBackward(_ dy: Tensor, input x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor, epsilon: Float,
                                             workspace: BatchNormWorkspace) -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let s = reluShapes(x, epsilon: epsilon)
        precondition(workspace.key == s.key, "batch norm + relu backward needs the workspace of its own forward (\(workspace.key) vs \(s.key))")
        return batchNormBackward(dy, input: x, scale: scale, mean: mean, variance: variance, s, workspace: workspace.memory)
    }
}
