/// Pairs fused only for eval-mode runs (running statistics; no backward follows), on top of the
/// pairs every run fuses:
///
/// - a convolution (`conv2d` / `depthwise_conv2d`, with or without its fused `Bias`) whose
///   `Output` feeds only a `batch_norm` that writes its running statistics back in place
///   (`MeanOut` / `VarianceOut` are `Mean` / `Variance`): the batch norm folded into the
///   convolution's weights (see `ConvolutionOperator.inferenceForward`), its `fuse_with_relu` as
///   `fuse_activation` `relu`. `SavedMean` / `SavedVariance` (not computed in eval) are not computed.
/// - such a convolution without an activation whose `Output` feeds only a `relu`, `leaky_relu`,
///   `relu6` or `hard_swish` (Paddle's 6, 6, 3):
///   the activation as `fuse_activation` (and `fuse_alpha`), a post-op of the convolution.
extension OpFusion {
    static func fuseForInference(_ first: OpDesc, _ second: OpDesc, registry: OpRegistry, fusable: Set<String>) -> (OpDesc, [String])? {
        guard isBuiltin(first, Conv2DOp.self, registry) || isBuiltin(first, DepthwiseConv2DOp.self, registry),
              first.attrs["fuse_activation"] == nil, first.outputs["Output"]?.count == 1, let v = first.output("Output"),
              fusable.contains(v) else { return nil }
        if isBuiltin(second, BatchNormOp.self, registry) { return foldBatchNorm(first, second, between: v) }
        let activation: String
        if isBuiltin(second, ReluOp.self, registry) {
            activation = "relu"
        } else if isBuiltin(second, LeakyReluOp.self, registry) {
            activation = "leaky_relu"
        } else if isBuiltin(second, Relu6Op.self, registry), second.float("threshold", default: 6) == 6 {
            activation = "relu6"
        } else if isBuiltin(second, HardSwishOp.self, registry), (try? HardSwishOp.eltwiseKind(second)) != nil {
            activation = "hard_swish"
        } else {
            return nil
        }
        guard second.inputs["X"] == [v], let out = second.outputs["Out"], out.count == 1 else { return nil }
        var fused = first
        fused.attrs["fuse_activation"] = .string(activation)
        if activation == "leaky_relu" { fused.attrs["fuse_alpha"] = .float(second.float("alpha", default: 0.02)) }
        fused.outputs["Output"] = out
        return (fused, [v])
    }

    private static func foldBatchNorm(_ conv: OpDesc, _ norm: OpDesc, between v: String) -> (OpDesc, [String])? {
        let slots = ["Scale", "Bias", "Mean", "Variance"]
        guard conv.inputs[ConvolutionSlots.batchNorm[0]] == nil, norm.inputs["X"] == [v],
              let y = norm.outputs["Y"], y.count == 1, norm.string("data_layout", default: "NCHW") == "NCHW",
              norm.outputs["MeanOut"].map({ $0 == norm.inputs["Mean"] }) ?? true,
              norm.outputs["VarianceOut"].map({ $0 == norm.inputs["Variance"] }) ?? true,
              slots.allSatisfy({ norm.inputs[$0]?.count == 1 }) else { return nil }
        var fused = conv
        for (slot, target) in zip(slots, ConvolutionSlots.batchNorm) { fused.inputs[target] = norm.inputs[slot] }
        fused.attrs["batch_norm_epsilon"] = .float(norm.float("epsilon", default: 1e-5))
        if norm.bool("fuse_with_relu", default: false) { fused.attrs["fuse_activation"] = .string("relu") }
        fused.outputs["Output"] = y
        let unused = (norm.outputs["SavedMean"] ?? []) + (norm.outputs["SavedVariance"] ?? [])
        return (fused, [v] + unused)
    }
}

/// Input slots of a convolution fused for inference.
enum ConvolutionSlots {
    /// The folded batch norm's Scale, Bias, Mean and Variance.
    static let batchNorm = ["BatchNormScale", "BatchNormBias", "BatchNormMean", "BatchNormVariance"]
}
