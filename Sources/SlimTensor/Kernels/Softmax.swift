import CDNNL

extension Kernels {
    /// softmax(x) along `axis`: exp(x - max) / sum exp(x - max).
    /// `memo`: the call site's `KernelCallMemo`, which keeps the last primitive (no key text or
    /// cache lookup when the shape repeats).
    public static func softmax(_ x: Tensor, axis: Int, memo: KernelCallMemo? = nil) -> Tensor {
        softmaxFamily(x, axis: axis, log: false, memo: memo)
    }

    /// log softmax(x) along `axis`: x - max - log sum exp(x - max).
    public static func logSoftmax(_ x: Tensor, axis: Int) -> Tensor { softmaxFamily(x, axis: axis, log: true, memo: nil) }

    private static func softmaxFamily(_ x: Tensor, axis: Int, log: Bool, memo: KernelCallMemo?) -> Tensor {
        let a = axis < 0 ? axis + x.shape.count : axis
        precondition(a >= 0 && a < x.shape.count, "softmax axis \(axis) for \(x.shape)")
        let p = softmaxPrimitive(x.shape, axis: a, log: log, memo: memo) { softmaxFamilyPrimitive(x, axis: a, log: log) }
        var outputs = [DNNL_ARG_DST: Tensor(uninitializedShape: x.shape)]
        run(p, inputs: [DNNL_ARG_SRC: x], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    private static func softmaxFamilyPrimitive(_ x: Tensor, axis a: Int, log: Bool) -> PreparedPrimitive {
        // The descriptors are built only when the key is not cached yet (a call's own cost at batch 1).
        let args = { () -> [(Int32, MemoryDesc, dnnl_query_t, Int32, Bool)] in
            let md = MemoryDesc(x.shape, .f32)
            return [(DNNL_ARG_SRC, md, dnnl_query_src_md, 0, false), (DNNL_ARG_DST, md, dnnl_query_dst_md, 0, true)]
        }
        let p: PreparedPrimitive
        if log {
            p = prepared("logsoftmax \(x.shape.cacheKey) \(a)", desc: { () -> dnnl_logsoftmax_desc_t in
                var desc = dnnl_logsoftmax_desc_t(), raw = MemoryDesc(x.shape, .f32).raw
                DNNL.check(dnnl_logsoftmax_forward_desc_init(&desc, dnnl_forward_inference, &raw, Int32(a)), "logsoftmax desc")
                return desc
            }, args: args)
        } else {
            p = prepared("softmax \(x.shape.cacheKey) \(a)", desc: { () -> dnnl_softmax_desc_t in
                var desc = dnnl_softmax_desc_t(), raw = MemoryDesc(x.shape, .f32).raw
                DNNL.check(dnnl_softmax_forward_desc_init(&desc, dnnl_forward_inference, &raw, Int32(a)), "softmax desc")
                return desc
            }, args: args)
        }
        return p
    }
}
