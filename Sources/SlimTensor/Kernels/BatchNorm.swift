import CDNNL

extension Kernels {
    /// Descriptors of a batch normalization: data x [N,C] or [N,C,H,W], per-channel vectors [C].
    /// The primitive works on x in the layout x is held in (`layout`, nil for plain).
    struct BatchNormShapes {
        let x: [Int]
        let layout: TensorLayout?
        let epsilon: Float
        /// y = max(bn(x), 0) in the same primitive (`dnnl_fuse_norm_relu`).
        var relu = false

        init(_ x: [Int], layout: TensorLayout?, epsilon: Float) {
            precondition(x.count == 2 || x.count == 4, "batch norm takes [N,C] or [N,C,H,W], got \(x)")
            precondition(epsilon >= 0, "batch norm epsilon \(epsilon)")
            self.x = x
            self.layout = layout
            self.epsilon = epsilon
        }

        /// The plain descriptor of x.
        var data: MemoryDesc { MemoryDesc(x, .f32) }
        var channel: MemoryDesc { MemoryDesc([x[1]], .f32) }

        var key: String { "x\(x.cacheKey) eps\(epsilon.bitPattern) relu\(relu) \(layout?.key ?? "plain")" }

        func checkChannels(_ vectors: [(String, Tensor)]) {
            for (name, t) in vectors { precondition(t.shape == [x[1]], "batch norm \(name) \(t.shape) for input \(x)") }
        }

        /// A batch normalization descriptor (`flags`: dnnl_normalization_flags_t bits).
        func desc(_ prop: dnnl_prop_kind_t, flags: UInt32, backward: Bool) -> dnnl_batch_normalization_desc_t {
            let flags = relu ? flags | dnnl_fuse_norm_relu.rawValue : flags
            var d = dnnl_batch_normalization_desc_t()
            let md = layout?.desc ?? data
            var (a, b) = (md.raw, md.raw)
            let status = backward ? dnnl_batch_normalization_backward_desc_init(&d, prop, &a, &b, epsilon, flags)
                : dnnl_batch_normalization_forward_desc_init(&d, prop, &a, epsilon, flags)
            DNNL.check(status, "batch norm desc \(key)")
            return d
        }
    }

    /// oneDNN's `bnorm_jit` synchronises its threads with spin barriers inside the kernel: on a busy
    /// machine a descheduled thread makes the others spin for whole time slices (measured: MobileNetV1's
    /// batch norms 30x slower at 2 threads with 6 runnable processes per core). `bnorm_tbb_jit`, the
    /// same jit code split into parallel regions without such barriers, is taken instead.
    static let spinBarrierImplementations = ["bnorm_jit:"]

    static let scaleAndShift = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue

    /// Creates (once per key) a batch norm primitive; `data` arguments are bound with the layout the
    /// primitive chose, `channel` ones ([C] vectors) are always dense.
    static func batchNormPrimitive(_ key: String, _ s: BatchNormShapes, _ desc: @autoclosure () -> dnnl_batch_normalization_desc_t,
                                           hint: @autoclosure () -> PreparedPrimitive? = nil,
                                           data: [(Int32, dnnl_query_t, Bool)], channel: [(Int32, Bool)]) -> PreparedPrimitive {
        PrimitiveCache.shared.value("\(key) \(s.key)") {
            let hint = hint(), desc = desc()
            let prim = withUnsafePointer(to: desc) {
                Primitive(opDesc: UnsafeRawPointer($0), hint: hint?.primitive, avoiding: spinBarrierImplementations, what: key)
            }
            let p = PreparedPrimitive(prim)
            let (plain, channelDesc) = (s.data, s.channel)
            for (arg, query, isOutput) in data { p.bind(arg, plain: plain, chosen: prim.md(query), isOutput: isOutput) }
            for (arg, isOutput) in channel { p.bind(arg, plain: channelDesc, chosen: channelDesc, isOutput: isOutput) }
            return p
        }
    }

    static func batchNormTrainingPrimitive(_ s: BatchNormShapes) -> PreparedPrimitive {
        batchNormPrimitive("bnorm_fwd_training", s, s.desc(dnnl_forward_training, flags: scaleAndShift, backward: false),
                           data: [(DNNL_ARG_SRC, dnnl_query_src_md, false), (DNNL_ARG_DST, dnnl_query_dst_md, true)],
                           channel: [(DNNL_ARG_SCALE, false), (DNNL_ARG_SHIFT, false), (DNNL_ARG_MEAN, true), (DNNL_ARG_VARIANCE, true)])
    }

    /// Batch normalization with the batch's statistics, per channel c over M = N*H*W elements:
    /// mean = Σx / M, variance = Σ(x - mean)² / M (biased),
    /// y = scale * (x - mean) / sqrt(variance + epsilon) + shift.
    /// Returns y and the batch mean and variance ([C]; moving averages are the caller's).
    public static func batchNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let r = batchNormTraining(x, scale: scale, shift: shift, BatchNormShapes(x.shape, layout: x.layout, epsilon: epsilon))
        return (r.output, r.mean, r.variance)
    }

    static func batchNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor, _ s: BatchNormShapes)
        -> (output: Tensor, mean: Tensor, variance: Tensor, workspace: Memory?) {
        s.checkChannels([("scale", scale), ("shift", shift)])
        let p = batchNormTrainingPrimitive(s)
        let workspace = s.relu ? Memory(p.primitive.md(dnnl_query_workspace_md), owning: true) : nil
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: x.shape), DNNL_ARG_MEAN: Tensor(uninitializedShape: [x.shape[1]]),
                       DNNL_ARG_VARIANCE: Tensor(uninitializedShape: [x.shape[1]])]
        run(p, inputs: [DNNL_ARG_SRC: x, DNNL_ARG_SCALE: scale, DNNL_ARG_SHIFT: shift], outputs: &outputs,
            extra: workspace.map { [(DNNL_ARG_WORKSPACE, $0)] } ?? [])
        return (outputs[DNNL_ARG_DST]!, outputs[DNNL_ARG_MEAN]!, outputs[DNNL_ARG_VARIANCE]!, workspace)
    }

    /// Batch normalization with given statistics (inference, moving mean/variance):
    /// y = scale * (x - mean) / sqrt(variance + epsilon) + shift, per channel.
    public static func batchNormInference(_ x: Tensor, scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        batchNormInference(x, scale: scale, shift: shift, mean: mean, variance: variance, BatchNormShapes(x.shape, layout: x.layout, epsilon: epsilon))
    }

    static func batchNormInference(_ x: Tensor, scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor, _ s: BatchNormShapes) -> Tensor {
        s.checkChannels([("scale", scale), ("shift", shift), ("mean", mean), ("variance", variance)])
        let flags = scaleAndShift | dnnl_use_global_stats.rawValue
        let p = batchNormPrimitive("bnorm_fwd_inference", s, s.desc(dnnl_forward_inference, flags: flags, backward: false),
                                   data: [(DNNL_ARG_SRC, dnnl_query_src_md, false), (DNNL_ARG_DST, dnnl_query_dst_md, true)],
                                   channel: [(DNNL_ARG_SCALE, false), (DNNL_ARG_SHIFT, false), (DNNL_ARG_MEAN, false), (DNNL_ARG_VARIANCE, false)])
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: x.shape)]
        run(p, inputs: [DNNL_ARG_SRC: x, DNNL_ARG_SCALE: scale, DNNL_ARG_SHIFT: shift, DNNL_ARG_MEAN: mean, DNNL_ARG_VARIANCE: variance],
            outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// Gradients of `batchNormTraining` (batch statistics depend on x), per channel over M elements,
    /// with x̂ = (x - mean) / sqrt(variance + epsilon):
    /// dshift = Σ dy, dscale = Σ dy * x̂,
    /// dx = scale / sqrt(variance + epsilon) * (dy - dshift / M - x̂ * dscale / M).
    /// `mean` and `variance` are the ones `batchNormTraining` returned.
    public static func batchNormBackward(_ dy: Tensor, input x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor,
                                         epsilon: Float) -> (input: Tensor, scale: Tensor, shift: Tensor) {
        batchNormBackward(dy, input: x, scale: scale, mean: mean, variance: variance, BatchNormShapes(x.shape, layout: x.layout, epsilon: epsilon),
                          workspace: nil)
    }

    static func batchNormBackward(_ dy: Tensor, input x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor, _ s: BatchNormShapes,
                                  workspace: Memory?) -> (input: Tensor, scale: Tensor, shift: Tensor) {
        precondition(dy.shape == x.shape, "batch norm backward: dy \(dy.shape) vs x \(x.shape)")
        s.checkChannels([("scale", scale), ("mean", mean), ("variance", variance)])
        let p = batchNormPrimitive("bnorm_bwd", s, s.desc(dnnl_backward, flags: scaleAndShift, backward: true),
                                   hint: batchNormTrainingPrimitive(s),
                                   data: [(DNNL_ARG_SRC, dnnl_query_src_md, false), (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, false),
                                          (DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, true)],
                                   channel: [(DNNL_ARG_SCALE, false), (DNNL_ARG_SHIFT, false), (DNNL_ARG_MEAN, false),
                                             (DNNL_ARG_VARIANCE, false), (DNNL_ARG_DIFF_SCALE, true), (DNNL_ARG_DIFF_SHIFT, true)])
        let c = x.shape[1]
        var outputs = [DNNL_ARG_DIFF_SRC: output(p, DNNL_ARG_DIFF_SRC, shape: x.shape), DNNL_ARG_DIFF_SCALE: Tensor(uninitializedShape: [c]),
                       DNNL_ARG_DIFF_SHIFT: Tensor(uninitializedShape: [c])]
        // oneDNN 2.6 counts SHIFT as a backward input although it never reads it: any [C] buffer will do.
        run(p, inputs: [DNNL_ARG_SRC: x, DNNL_ARG_DIFF_DST: dy, DNNL_ARG_SCALE: scale, DNNL_ARG_SHIFT: scale, DNNL_ARG_MEAN: mean,
                        DNNL_ARG_VARIANCE: variance], outputs: &outputs, extra: workspace.map { [(DNNL_ARG_WORKSPACE, $0)] } ?? [])
        return (outputs[DNNL_ARG_DIFF_SRC]!, outputs[DNNL_ARG_DIFF_SCALE]!, outputs[DNNL_ARG_DIFF_SHIFT]!)
    }
}
