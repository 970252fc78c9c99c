import SlimTensor

/// `batch_norm` over the channels (dim 1) of `X` [N, C, H, W] or [N, C], per channel over the
/// M = N*H*W values: `Y = Scale * (X - mean) / sqrt(var + epsilon) + Bias`.
///
/// Training (train mode, not `is_test` / `use_global_stats`): mean and var are the batch's (biased
/// variance); the running statistics are updated in place (`MeanOut`/`VarianceOut` are the
/// `Mean`/`Variance` vars): `Mean = momentum * Mean + (1 - momentum) * batch_mean`,
/// `Variance = momentum * Variance + (1 - momentum) * batch_var * M / (M - 1)` (unbiased, as
/// Paddle). `SavedMean` = batch mean, `SavedVariance` = `1 / sqrt(batch_var + epsilon)` (Paddle's
/// saved inverse standard deviation). Otherwise the running statistics normalise and nothing changes.
///
/// Backward: with batch statistics the oneDNN gradient (mean and variance depend on X); with
/// running statistics `dX = dY * Scale / sqrt(var + eps)`. Both: `dScale = sum(dY * x̂)`, `dBias = sum(dY)`.
///
/// With `SyncBatchNorm.reduction` set (`norm_type: sync_bn` under `mpirun`) the training
/// statistics and gradient are the global batch's (`SyncBatchNorm`).
///
/// `fuse_with_relu` (Paddle's attr, default false): `Y = max(BN(X), 0)` in the same primitive, and
/// backward first masks `dY` with `Y > 0` (the executor fuses `batch_norm` + `relu` into this).
public enum BatchNormOp: Operator {
    public static let type = "batch_norm"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        try ShapeInference.requireRank(x, [2, 4], "X", of: op)
        guard op.string("data_layout", default: "NCHW") == "NCHW" else {
            throw GraphError("op 'batch_norm': data_layout '\(op.string("data_layout", default: ""))' is not supported", hints: ["use NCHW"])
        }
        let epsilon = op.float("epsilon", default: 1e-5), momentum = op.float("momentum", default: 0.9)
        guard epsilon >= 0, (0...1).contains(momentum) else {
            throw GraphError("op 'batch_norm': epsilon \(epsilon) must be >= 0 and momentum \(momentum) in [0, 1]")
        }
        for slot in ["Scale", "Bias", "Mean", "Variance"] {
            let s = try ShapeInference.shape(inputs, slot, of: op)
            guard s.count == 1, ShapeInference.compatible(s[0], x[1]) else {
                throw GraphError("op 'batch_norm': \(slot) has shape \(s) but X \(x) has \(x[1]) channels")
            }
        }
        let c = [x[1]]
        return ["Y": [x], "MeanOut": [c], "VarianceOut": [c], "SavedMean": [c], "SavedVariance": [c]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), scale = try context.floatInput("Scale"), bias = try context.floatInput("Bias")
        let mean = try context.floatInput("Mean"), variance = try context.floatInput("Variance")
        _ = try inferShapes(context.op, inputs: ["X": [x.shape], "Scale": [scale.shape], "Bias": [bias.shape],
                                                 "Mean": [mean.shape], "Variance": [variance.shape]])
        let epsilon = Float(context.op.float("epsilon", default: 1e-5))
        guard usesBatchStatistics(context) else {
            context.saved["mean"] = mean
            context.saved["variance"] = variance
            context.setOutput("MeanOut", 0, mean)
            context.setOutput("VarianceOut", 0, variance)
            context.setOutput("Y", 0, fusesReLU(context)
                ? Kernels.batchNormReLUInference(x, scale: scale, shift: bias, mean: mean, variance: variance, epsilon: epsilon)
                : Kernels.batchNormInference(x, scale: scale, shift: bias, mean: mean, variance: variance, epsilon: epsilon))
            return
        }
        let (y, batchMean, batchVariance, m) = try training(context, x, scale: scale, shift: bias, epsilon: epsilon)
        context.saved["mean"] = batchMean
        context.saved["variance"] = batchVariance
        let momentum = Float(context.op.float("momentum", default: 0.9))
        let unbias: Float = m > 1 ? Float(m) / Float(m - 1) : 1
        context.setOutput("Y", 0, y)
        context.setOutput("MeanOut", 0, blend(mean, batchMean, momentum: momentum, factor: 1))
        context.setOutput("VarianceOut", 0, blend(variance, batchVariance, momentum: momentum, factor: unbias))
        context.setOutput("SavedMean", 0, batchMean)
        context.setOutput("SavedVariance", 0, Tensor(shape: batchVariance.shape, floats: batchVariance.floats.map { 1 / ($0 + epsilon).squareRoot() }))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dy = context.outputGrad("Y") else { return }
        let x = try context.input("X"), scale = try context.input("Scale")
        guard let mean = context.saved["mean"] as? Tensor, let variance = context.saved["variance"] as? Tensor else { return }
        let epsilon = Float(context.op.float("epsilon", default: 1e-5))
        let grads: (input: Tensor, scale: Tensor, shift: Tensor)
        if usesBatchStatistics(context), let count = context.saved["syncCount"] as? Int {
            let relu = fusesReLU(context) ? try context.input("Bias") : nil
            grads = SyncBatchNorm.gradients(dy: dy, x: x, scale: scale, mean: mean, variance: variance, epsilon: epsilon, count: count, reluShift: relu)
        } else if usesBatchStatistics(context) {
            grads = if let workspace = context.saved["reluWorkspace"] as? BatchNormWorkspace {
                Kernels.batchNormReLUBackward(dy, input: x, scale: scale, mean: mean, variance: variance, epsilon: epsilon, workspace: workspace)
            } else {
                Kernels.batchNormBackward(dy, input: x, scale: scale, mean: mean, variance: variance, epsilon: epsilon)
            }
        } else {
            let masked = fusesReLU(context) ? Kernels.eltwiseBackward(dy, input: try context.output("Y"), .relu) : dy
            grads = BatchNormFrozenGradient.compute(dy: masked, x: x, scale: scale, mean: mean, variance: variance, epsilon: epsilon)
        }
        if context.needsGrad("X") { context.addInputGrad("X", 0, grads.input) }
        if context.needsGrad("Scale") { context.addInputGrad("Scale", 0, grads.scale) }
        if context.needsGrad("Bias") { context.addInputGrad("Bias", 0, grads.shift) }
    }

    /// Y, batch mean, batch variance and the values per channel they are over (with the ReLU's
    /// workspace saved for backward when fused); the global batch's with `SyncBatchNorm`.
    private static func training(_ context: OpContext, _ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) throws -> (Tensor, Tensor, Tensor, Int) {
        if SyncBatchNorm.applies {
            let s = SyncBatchNorm.statistics(x)
            context.saved["syncCount"] = s.count
            let y = fusesReLU(context)
                ? Kernels.batchNormReLUInference(x, scale: scale, shift: shift, mean: s.mean, variance: s.variance, epsilon: epsilon)
                : Kernels.batchNormInference(x, scale: scale, shift: shift, mean: s.mean, variance: s.variance, epsilon: epsilon)
            return (y, s.mean, s.variance, s.count)
        }
        let m = x.count / x.shape[1]
        guard fusesReLU(context) else {
            let r = Kernels.batchNormTraining(x, scale: scale, shift: shift, epsilon: epsilon)
            return (r.0, r.1, r.2, m)
        }
        let r = Kernels.batchNormReLUTraining(x, scale: scale, shift: shift, epsilon: epsilon)
        context.saved["reluWorkspace"] = r.workspace
        return (r.output, r.mean, r.variance, m)
    }

    private static func fusesReLU(_ context: OpContext) -> Bool { context.op.bool("fuse_with_relu", default: false) }

    /// Whether this run normalises with the batch's statistics (and updates the running ones).
    private static func usesBatchStatistics(_ context: OpContext) -> Bool {
        context.isTraining && !context.op.bool("is_test", default: false) && !context.op.bool("use_global_stats", default: false)
    }

    /// `momentum * running + (1 - momentum) * factor * batch`, per channel.
    private static func blend(_ running: Tensor, _ batch: Tensor, momentum: Float, factor: Float) -> Tensor {
        Tensor(shape: running.shape, floats: zip(running.floats, batch.floats).map { momentum * $0 + (1 - momentum) * factor * $1 })
    }
}
