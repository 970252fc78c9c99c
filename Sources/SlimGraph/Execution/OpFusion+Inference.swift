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
/// - such a convolution without an activation whose `Output` feeds only an `elementwise_add` of
///   another run-time var declared with the same shape (a residual shortcut): the add as the
///   convolution's `ResidualData`, a sum post-op before the activation (a following `relu` then
///   fuses too).
///
/// - a fully connected layer: `mul` (2-D `Out`) whose `Out` feeds only an `elementwise_add` (axis 1
///   or -1) of a persistable `[N]` var: the mul with that var as its `Bias`; such a mul, with or
///   without its bias, whose `Out` feeds only one of the activations above: the activation as its
///   `fuse_activation` (`MulOp`: one matmul with bias and post-op).
extension OpFusion {
    static func fuseForInference(_ first: OpDesc, _ second: OpDesc, program: Program, registry: OpRegistry,
                                 fusable: Set<String>) -> (OpDesc, [String])? {
        if isBuiltin(first, MulOp.self, registry) { return fuseIntoMul(first, second, program: program, registry: registry, fusable: fusable) }
        guard isBuiltin(first, Conv2DOp.self, registry) || isBuiltin(first, DepthwiseConv2DOp.self, registry),
              first.attrs["fuse_activation"] == nil, first.outputs["Output"]?.count == 1, let v = first.output("Output"),
              fusable.contains(v) else { return nil }
        if isBuiltin(second, BatchNormOp.self, registry) { return foldBatchNorm(first, second, between: v) }
        if isBuiltin(second, ElementwiseAddOp.self, registry) { return fuseResidual(first, second, between: v, program: program) }
        return fuseActivation(first, output: "Output", second, between: v, registry: registry)
    }

    /// `first` with the activation `second` applies to its output slot `output` (var `v`) as
    /// `fuse_activation`, when `second` is one a oneDNN post-op computes.
    private static func fuseActivation(_ first: OpDesc, output: String, _ second: OpDesc, between v: String,
                                       registry: OpRegistry) -> (OpDesc, [String])? {
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
        fused.outputs[output] = out
        return (fused, [v])
    }

    /// A `mul` with the bias add or activation after it (see above).
    private static func fuseIntoMul(_ mul: OpDesc, _ second: OpDesc, program: Program, registry: OpRegistry,
                                    fusable: Set<String>) -> (OpDesc, [String])? {
        guard mul.attrs["fuse_activation"] == nil, mul.outputs["Out"]?.count == 1, let v = mul.output("Out"), fusable.contains(v),
              let product = program.variable(v)?.shape, product.count == 2, product[1] > 0 else { return nil }
        guard isBuiltin(second, ElementwiseAddOp.self, registry) else {
            return fuseActivation(mul, output: "Out", second, between: v, registry: registry)
        }
        guard mul.inputs["Bias"] == nil, second.inputs["X"] == [v], [1, -1].contains(second.int("axis", default: -1)),
              let b = second.inputs["Y"], b.count == 1, let bias = program.variable(b[0]), bias.persistable,
              bias.shape == [product[1]], let out = second.outputs["Out"], out.count == 1 else { return nil }
        var fused = mul
        fused.inputs["Bias"] = b
        fused.outputs["Out"] = out
        return (fused, [v])
    }

    /// `elementwise_add(v, r)` or `(r, v)` of a run-time `r` declared with the output's shape (all but
    /// the batch known): the
    /// convolution with `r` as `ResidualData` (a convolution and its add are adjacent, so `r` is
    /// computed before the convolution runs).
    private static func fuseResidual(_ conv: OpDesc, _ add: OpDesc, between v: String, program: Program) -> (OpDesc, [String])? {
        guard conv.inputs[ConvolutionSlots.residual] == nil, let x = add.inputs["X"], let y = add.inputs["Y"], x.count == 1, y.count == 1, x != y,
              let out = add.outputs["Out"], out.count == 1 else { return nil }
        let r = x[0] == v ? y[0] : x[0]
        guard x[0] == v || y[0] == v, let rv = program.variable(r), !rv.persistable,
              let vv = program.variable(v), vv.shape.count == 4, vv.shape.dropFirst().allSatisfy({ $0 > 0 }),
              rv.shape == vv.shape else { return nil }   // the same shape, so the add's axis plays no part
        var fused = conv
        fused.inputs[ConvolutionSlots.residual] = [r]
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
    /// The other input of a fused residual add (the slot slim's int8 convolution uses too).
    static let residual = "ResidualData"
}
