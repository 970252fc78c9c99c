import CDNNL

/// Element-wise activation functions (oneDNN eltwise algorithms).
public enum EltwiseKind: Hashable, Sendable {
    case relu
    /// x for x > 0, alpha * x otherwise (oneDNN relu with a negative slope)
    case leakyRelu(alpha: Float)
    /// min(max(x, 0), 6)
    case relu6
    /// min(max(x, lo), hi)
    case clip(lo: Float, hi: Float)
    /// alpha * x + beta
    case linear(alpha: Float, beta: Float)
    case tanh, sigmoid, exp, abs
    /// x * min(max(x + 3, 0), 6) / 6
    case hardSwish
    /// x rounded to the nearest integer, ties to even (a post-op before an exact integer shift)
    case round

    var algorithm: (dnnl_alg_kind_t, Float, Float) {
        switch self {
        case .relu: return (dnnl_eltwise_relu, 0, 0)
        case let .leakyRelu(alpha): return (dnnl_eltwise_relu, alpha, 0)
        case .relu6: return (dnnl_eltwise_clip_v2, 0, 6)
        case let .clip(lo, hi): return (dnnl_eltwise_clip_v2, lo, hi)
        case let .linear(alpha, beta): return (dnnl_eltwise_linear, alpha, beta)
        case .tanh: return (dnnl_eltwise_tanh, 0, 0)
        case .sigmoid: return (dnnl_eltwise_logistic, 0, 0)
        case .exp: return (dnnl_eltwise_exp, 0, 0)
        case .abs: return (dnnl_eltwise_abs, 0, 0)
        case .hardSwish: return (dnnl_eltwise_hardswish, 0, 0)
        case .round: return (dnnl_eltwise_round, 0, 0)
        }
    }
}

extension Kernels {
    /// The dims an element-wise primitive runs on for x: flat when plain (any rank), x's own dims
    /// when x is held in a blocked layout.
    private static func eltwiseDims(_ x: Tensor) -> [Int] { x.layout == nil ? [x.count] : x.shape }

    /// `training`: the forward_training primitive (also the hint of the backward one); otherwise
    /// forward_inference.
    static func eltwiseForwardPrimitive(_ dims: [Int], _ kind: EltwiseKind, layout: TensorLayout?, training: Bool = true) -> PreparedPrimitive {
        prepared("eltwise_fwd \(dims.cacheKey) \(kind.cacheKey) \(layout?.key ?? "plain") t\(training)", work: dims.reduce(1, *), desc: { () -> dnnl_eltwise_desc_t in
            let (alg, alpha, beta) = kind.algorithm
            var raw = (layout?.desc ?? MemoryDesc(dims, .f32)).raw
            var desc = dnnl_eltwise_desc_t()
            DNNL.check(dnnl_eltwise_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, alg, &raw, alpha, beta), "eltwise desc")
            return desc
        }, args: {
            let md = MemoryDesc(dims, .f32)
            return [(DNNL_ARG_SRC, md, dnnl_query_src_md, 0, false), (DNNL_ARG_DST, md, dnnl_query_dst_md, 0, true)]
        })
    }

    /// y = f(x). `training: false` runs oneDNN's forward_inference primitive (no backward follows).
    /// `memo`: the caller's `KernelCallMemo` (a call like its last one skips the primitive cache's key).
    public static func eltwiseForward(_ x: Tensor, _ kind: EltwiseKind, training: Bool = true, memo: KernelCallMemo? = nil) -> Tensor {
        let p = eltwiseForwardPrimitive(eltwiseDims(x), kind, layout: x.layout, training: training, memo: memo)
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: x.shape, writesPadding: true)]
        run(p, inputs: [DNNL_ARG_SRC: x], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// dx = dy * f'(x).
    public static func eltwiseBackward(_ dy: Tensor, input x: Tensor, _ kind: EltwiseKind) -> Tensor {
        precondition(dy.shape == x.shape, "eltwise backward shapes \(dy.shape) vs \(x.shape)")
        let dims = eltwiseDims(x), layout = x.layout
        let p = prepared("eltwise_bwd \(dims.cacheKey) \(kind.cacheKey) \(layout?.key ?? "plain")",
                         hint: eltwiseForwardPrimitive(dims, kind, layout: layout), desc: { () -> dnnl_eltwise_desc_t in
            let (alg, alpha, beta) = kind.algorithm
            let md = layout?.desc ?? MemoryDesc(dims, .f32)
            var (rd, rx) = (md.raw, md.raw)
            var desc = dnnl_eltwise_desc_t()
            DNNL.check(dnnl_eltwise_backward_desc_init(&desc, alg, &rd, &rx, alpha, beta), "eltwise backward desc")
            return desc
        }, args: {
            let md = MemoryDesc(dims, .f32)
            return [(DNNL_ARG_SRC, md, dnnl_query_src_md, 0, false),
                    (DNNL_ARG_DIFF_DST, md, dnnl_query_diff_dst_md, 0, false),
                    (DNNL_ARG_DIFF_SRC, md, dnnl_query_diff_src_md, 0, true)]
        })
        var outputs = [DNNL_ARG_DIFF_SRC: output(p, DNNL_ARG_DIFF_SRC, shape: x.shape, writesPadding: true)]
        run(p, inputs: [DNNL_ARG_SRC: x, DNNL_ARG_DIFF_DST: dy], outputs: &outputs)
        return outputs[DNNL_ARG_DIFF_SRC]!
    }
}
