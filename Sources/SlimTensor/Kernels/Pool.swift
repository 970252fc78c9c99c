import CDNNL

/// What a max-pooling forward in training leaves for its backward: oneDNN's workspace (the argmax
/// position of every output, in the primitive's own layout).
///
/// Each forward call allocates its own workspace; pass it to the backward of that same call.
public final class PoolWorkspace: @unchecked Sendable {
    let memory: Memory
    /// The pooling (shapes and geometry) it was made by; the backward checks it matches.
    let key: String
    /// The layout the forward's input was held in (the backward primitive is made to match).
    let layout: TensorLayout?
    /// The channel count the forward ran with, when it pooled a padded view (`Kernels.channelView`).
    var viewChannels: Int?

    init(memory: Memory, key: String, layout: TensorLayout?) {
        self.memory = memory
        self.key = key
        self.layout = layout
    }
}

extension Kernels {
    /// A channel-blocked tensor whose channels do not fill the last block (6 channels in blocks of 8),
    /// seen with `channels` (default: the padded count) channels: the same bytes, its zero padding
    /// channels counted as real ones (oneDNN keeps padding zero, and pools it to zero). oneDNN's jit
    /// pooling runs 3x slower on a partial block than on whole ones (LeNet's first pool). Nil when
    /// `t` is not such a tensor.
    static func channelView(_ t: Tensor, channels: Int? = nil) -> Tensor? {
        guard let layout = t.layout, t.shape.count == 4 else { return nil }
        let physical = layout.paddedChannels ?? t.shape[1]
        let target = channels ?? physical
        guard target != t.shape[1], physical > t.shape[1] || target < t.shape[1] else { return nil }
        var shape = t.shape
        shape[1] = target
        guard t.dtype == .f32, let view = layout.channelBlockedLayout(shape) else { return nil }
        return view.byteCount == layout.byteCount ? t.relabeled(shape: shape, layout: view) : nil
    }

    /// `t` held in `layout`: itself when it already is, else one cached reorder (from another
    /// layout straight into this one, not through a plain copy).
    static func converted(_ t: Tensor, to layout: TensorLayout) -> Tensor {
        if let current = t.layout, current === layout || current.matches(layout.desc) { return t }
        let out = Tensor(uninitializedShape: t.shape, dtype: t.dtype, layout: layout)
        withExtendedLifetime(t) {
            if let current = t.layout {
                ReorderPlan.shared(from: current.desc, to: layout.desc).run(t.buffer.pointer, out.buffer.pointer)
            } else {
                layout.reorder(t.buffer.pointer, out.buffer.pointer, toPlain: false)
            }
        }
        return out
    }

    /// The destination of a primitive whose sum post-op adds its result to `residual`: the
    /// residual's bytes in the destination's layout (`layout`; nil: plain), held by no other
    /// tensor (a copy unless nothing else holds them), its plain copy forgotten (the bytes are
    /// overwritten in place). A residual handed over (the caller's last reference, `consume`d)
    /// whose bytes nothing else holds is used in place, without a copy.
    static func summedDestination(_ residual: consuming Tensor, layout: TensorLayout?) -> Tensor {
        var y = consume residual
        y = layout.map { converted(y, to: $0) } ?? y.plain()
        y.makeBufferUnique()
        y.buffer.discardPlainCopy()
        return y
    }

    /// Plain descriptors of a pooling: x [N,C,H,W], y [N,C,OH,OW].
    struct PoolShapes {
        let x, y: [Int]
        let g: PoolGeometry

        init(x: [Int], g: PoolGeometry) {
            precondition(x.count == 4, "pool2d takes a 4-D input, got \(x)")
            precondition(g.kernel.count == 2 && g.strides.count == 2 && g.paddings.count == 4, "pool2d geometry \(g)")
            precondition(g.kernel.allSatisfy { $0 > 0 } && g.strides.allSatisfy { $0 > 0 }, "pool2d kernel/strides \(g)")
            precondition(g.paddings[0] < g.kernel[0] && g.paddings[2] < g.kernel[0]
                && g.paddings[1] < g.kernel[1] && g.paddings[3] < g.kernel[1], "pool2d padding must be smaller than the kernel: \(g)")
            self.x = x
            self.g = g
            y = g.outputShape(input: x)
            precondition(y[2] > 0 && y[3] > 0, "pool2d window \(g.kernel) larger than the padded input \(x)")
        }

        var key: String { "x\(x.cacheKey) \(g.kind.rawValue) k\(g.kernel.cacheKey) s\(g.strides.cacheKey) p\(g.paddings.cacheKey)" }

        var algorithm: dnnl_alg_kind_t {
            switch g.kind {
            case .max: return dnnl_pooling_max
            case .avg: return dnnl_pooling_avg_exclude_padding
            case .avgInclusive: return dnnl_pooling_avg_include_padding
            }
        }

        /// Calls `body` with (strides, kernel, padding top/left, padding bottom/right) as oneDNN wants them.
        func withGeometry<R>(_ body: (UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>) -> R) -> R {
            let s = g.strides.map { dnnl_dim_t($0) }, k = g.kernel.map { dnnl_dim_t($0) }
            let l = [dnnl_dim_t(g.paddings[0]), dnnl_dim_t(g.paddings[1])]
            let r = [dnnl_dim_t(g.paddings[2]), dnnl_dim_t(g.paddings[3])]
            return body(s, k, l, r)
        }
    }

    /// The forward primitive (also the hint of the backward one), on x held in `layout` (nil: plain);
    /// a blocked input gives an output in the same blocking.
    static func poolForwardPrimitive(_ c: PoolShapes, training: Bool, dtype: DType = .f32, layout: TensorLayout? = nil) -> PreparedPrimitive {
        prepared("pool_fwd \(c.key) t\(training) \(dtype.rawValue) \(layout?.key ?? "plain")", work: c.x.reduce(1, *), desc: { () -> dnnl_pooling_desc_t in
            var rx = (layout?.desc ?? MemoryDesc(c.x, dtype)).raw
            var ry = MemoryDesc(c.y, dtype, plain: layout == nil).raw
            var desc = dnnl_pooling_desc_t()
            c.withGeometry { s, k, l, r in
                DNNL.check(dnnl_pooling_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference,
                    c.algorithm, &rx, &ry, s, k, l, r), "pooling forward desc \(c.key)")
            }
            return desc
        }, args: {
            [(DNNL_ARG_SRC, MemoryDesc(c.x, dtype), dnnl_query_src_md, 0, false), (DNNL_ARG_DST, MemoryDesc(c.y, dtype), dnnl_query_dst_md, 0, true)]
        })
    }

    /// 2-D pooling of x [N,C,H,W] to y [N,C,OH,OW], OH = (H + pt + pb - kh) / sh + 1 (floor).
    ///
    /// With window W(oy, ox) = rows oy*sh - pt ..< +kh, columns ox*sw - pl ..< +kw:
    /// - `.max`: y = max over W ∩ image (padding never wins);
    /// - `.avg`: y = sum over W ∩ image / |W ∩ image| (padding excluded from the divisor);
    /// - `.avgInclusive`: y = sum over W ∩ image / (kh * kw).
    /// Global pooling is kernel = [H, W]. Max pooling in training also returns the workspace its
    /// backward needs; otherwise the workspace is nil. Inference also takes u8/s8/s32 tensors (same
    /// type out; averages round half to even).
    /// `memo`: the call site's `KernelCallMemo` (an op of an executor's plan), which skips the
    /// primitive cache's key text when the call is like the last one.
    public static func pool2dForward(_ x: Tensor, geometry g: PoolGeometry, training: Bool,
                                     memo: KernelCallMemo? = nil) -> (output: Tensor, workspace: PoolWorkspace?) {
        if let view = channelView(x) {
            let (y, workspace) = pool2dForward(view, geometry: g, training: training, memo: memo)
            workspace?.viewChannels = view.shape[1]
            return (channelView(y, channels: x.shape[1])!, workspace)
        }
        let c = PoolShapes(x: x.shape, g: g)
        precondition(x.dtype == .f32 || !training, "pool2d training takes f32, got \(x.dtype)")
        let p = poolForwardPrimitive(c, training: training, dtype: x.dtype, layout: x.layout, memo: memo)
        var workspace: PoolWorkspace?
        if training && g.kind == .max {
            workspace = PoolWorkspace(memory: Memory(p.primitive.md(dnnl_query_workspace_md), owning: true), key: c.key, layout: x.layout)
        }
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: c.y, dtype: x.dtype)]
        run(p, inputs: [DNNL_ARG_SRC: x], outputs: &outputs, extra: workspace.map { [(DNNL_ARG_WORKSPACE, $0.memory)] } ?? [])
        return (outputs[DNNL_ARG_DST]!, workspace)
    }

    /// dx, the gradient of `pool2dForward` with respect to x, for dy [N,C,OH,OW].
    ///
    /// - `.max`: each dy goes to the argmax of its window (from `workspace`, required);
    /// - `.avg`: each dy / |W ∩ image| goes to every in-image element of its window;
    /// - `.avgInclusive`: each dy / (kh * kw) likewise. Overlapping windows add up.
    public static func pool2dBackward(_ dy: Tensor, inputShape: [Int], geometry g: PoolGeometry, workspace: PoolWorkspace?) -> Tensor {
        if let channels = workspace?.viewChannels, let padded = workspace?.layout, channels != inputShape[1] {
            var viewShape = inputShape
            viewShape[1] = channels
            let outputLayout = padded.channelBlockedLayout(g.outputShape(input: inputShape))!
            let dyView = channelView(converted(dy, to: outputLayout), channels: channels)!
            let dx = pool2dBackward(dyView, inputShape: viewShape, geometry: g, workspace: workspace)
            return channelView(dx, channels: inputShape[1])!
        }
        let c = PoolShapes(x: inputShape, g: g)
        precondition(dy.shape == c.y, "pool2d backward: dy \(dy.shape) != \(c.y)")
        if g.kind == .max {
            precondition(workspace?.key == c.key, "max pool2d backward needs the workspace of a training forward with the same shapes and geometry")
        }
        let layout = workspace?.layout
        let p = prepared("pool_bwd \(c.key) \(layout?.key ?? "plain")", hint: poolForwardPrimitive(c, training: true, layout: layout),
                         desc: { () -> dnnl_pooling_desc_t in
            var rx = MemoryDesc(c.x, .f32, plain: layout == nil).raw, ry = MemoryDesc(c.y, .f32, plain: layout == nil).raw
            var desc = dnnl_pooling_desc_t()
            c.withGeometry { s, k, l, r in
                DNNL.check(dnnl_pooling_backward_desc_init(&desc, c.algorithm, &rx, &ry, s, k, l, r), "pooling backward desc \(c.key)")
            }
            return desc
        }, args: {
            [(DNNL_ARG_DIFF_DST, MemoryDesc(c.y, .f32), dnnl_query_diff_dst_md, 0, false),
             (DNNL_ARG_DIFF_SRC, MemoryDesc(c.x, .f32), dnnl_query_diff_src_md, 0, true)]
        })
        var outputs = [DNNL_ARG_DIFF_SRC: output(p, DNNL_ARG_DIFF_SRC, shape: c.x)]
        let extra = g.kind == .max ? [(DNNL_ARG_WORKSPACE, workspace!.memory)] : []
        run(p, inputs: [DNNL_ARG_DIFF_DST: dy], outputs: &outputs, extra: extra)
        return outputs[DNNL_ARG_DIFF_SRC]!
    }
}
