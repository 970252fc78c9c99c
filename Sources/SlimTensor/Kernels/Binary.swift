import CDNNL

extension Kernels {
    /// b's shape aligned to a's rank: Paddle's elementwise rule puts b's dims at `axis`
    /// (axis = -1: aligned to the right, numpy style), padding with 1s.
    public static func broadcastShape(_ b: [Int], to a: [Int], axis: Int) -> [Int] {
        let start = axis < 0 ? a.count - b.count : axis
        precondition(start >= 0 && start + b.count <= a.count, "cannot broadcast \(b) onto \(a) at axis \(axis)")
        var shape = [Int](repeating: 1, count: a.count)
        for (i, d) in b.enumerated() {
            precondition(d == a[start + i] || d == 1, "cannot broadcast \(b) onto \(a) at axis \(axis)")
            shape[start + i] = d
        }
        return shape
    }

    /// a + b with b broadcast onto a.
    /// `memo`: the caller's `KernelCallMemo` (a call like its last one skips the primitive cache's key).
    public static func add(_ a: Tensor, _ b: Tensor, axis: Int = -1, memo: KernelCallMemo? = nil) -> Tensor {
        binary(dnnl_binary_add, a, b, axis: axis, memo: memo)
    }

    /// a * b with b broadcast onto a.
    public static func multiply(_ a: Tensor, _ b: Tensor, axis: Int = -1) -> Tensor { binary(dnnl_binary_mul, a, b, axis: axis) }

    /// a - b with b broadcast onto a.
    public static func subtract(_ a: Tensor, _ b: Tensor, axis: Int = -1) -> Tensor { binary(dnnl_binary_sub, a, b, axis: axis) }

    /// a / b with b broadcast onto a.
    public static func divide(_ a: Tensor, _ b: Tensor, axis: Int = -1) -> Tensor { binary(dnnl_binary_div, a, b, axis: axis) }

    /// b is read in a's layout when it has a's shape or is a per-channel operand of a channel-blocked
    /// a, else plain; the result is in a's layout.
    private static func binary(_ alg: dnnl_alg_kind_t, _ a: Tensor, _ b: Tensor, axis: Int, memo: KernelCallMemo? = nil) -> Tensor {
        let bShape = broadcastShape(b.shape, to: a.shape, axis: axis)
        let layout = a.layout
        let p = binaryPrimitive(alg.rawValue, a: a.shape, b: bShape, layout: layout, memo: memo) { prepared("binary \(alg.rawValue) \(a.shape.cacheKey) \(bShape.cacheKey) \(layout?.key ?? "plain")", work: a.count, desc: { () -> dnnl_binary_desc_t in
            let aDesc = layout?.desc ?? MemoryDesc(a.shape, .f32)
            let bDesc = bShape == a.shape ? aDesc : layout?.channelBlocked(bShape, .f32) ?? MemoryDesc(bShape, .f32)
            var (ra, rb, rc) = (aDesc.raw, bDesc.raw, aDesc.raw)
            var desc = dnnl_binary_desc_t()
            DNNL.check(dnnl_binary_desc_init(&desc, alg, &ra, &rb, &rc), "binary desc")
            return desc
        }, args: {
            let aDesc = MemoryDesc(a.shape, .f32)
            return [(DNNL_ARG_SRC_0, aDesc, dnnl_query_src_md, 0, false),
                    (DNNL_ARG_SRC_1, MemoryDesc(bShape, .f32), dnnl_query_src_md, 1, false),
                    (DNNL_ARG_DST, aDesc, dnnl_query_dst_md, 0, true)]
        }) }
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: a.shape)]
        run(p, inputs: [DNNL_ARG_SRC_0: a, DNNL_ARG_SRC_1: bShape == b.shape ? b : b.reshaped(bShape)], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// Sums x down to `shape` (same element layout after padding `shape` with 1s on the left):
    /// the gradient of a broadcast.
    ///
    /// Sums keeping at most one axis (bias gradients, means) run as a reduction of the trailing dims
    /// (oneDNN's jit reduction) then a product with a row of ones over the leading ones; other
    /// patterns use one reduction primitive.
    public static func reduceSum(_ x: Tensor, to shape: [Int]) -> Tensor {
        let target = [Int](repeating: 1, count: max(x.shape.count - shape.count, 0)) + shape
        precondition(target.count == x.shape.count, "reduceSum \(x.shape) to \(shape)")
        if target == x.shape { return x.reshaped(shape) }
        let kept = x.shape.indices.filter { x.shape[$0] != 1 && target[$0] != 1 }
        guard kept.count <= 1 else { return reductionPrimitiveSum(x, to: target).reshaped(shape) }
        guard x.count > 0 else { return Tensor(shape: shape) }
        let (p, c) = kept.first.map { (x.shape[..<$0].reduce(1, *), x.shape[$0]) } ?? (1, 1)
        let q = x.count / (p * c)
        var rows = x.reshaped([p, c, q])
        if q > 1 { rows = reductionPrimitiveSum(rows, to: [p, c, 1]) }
        let sum = p > 1 ? matmul(Tensor.filled(1, shape: [1, p]), rows.reshaped([p, c])) : rows
        return sum.reshaped(shape)
    }

    /// Sums x down to `target` (same rank) with one oneDNN reduction primitive.
    private static func reductionPrimitiveSum(_ x: Tensor, to target: [Int]) -> Tensor {
        let layout = x.layout
        let p = prepared("reduce_sum \(x.shape.cacheKey) \(target.cacheKey) \(layout?.key ?? "plain")", desc: { () -> dnnl_reduction_desc_t in
            var (rs, rd) = ((layout?.desc ?? MemoryDesc(x.shape, .f32)).raw, MemoryDesc(target, .f32).raw)
            var desc = dnnl_reduction_desc_t()
            DNNL.check(dnnl_reduction_desc_init(&desc, dnnl_reduction_sum, &rs, &rd, 0, 0), "reduction desc")
            return desc
        }, args: {
            [(DNNL_ARG_SRC, MemoryDesc(x.shape, .f32), dnnl_query_src_md, 0, false),
             (DNNL_ARG_DST, MemoryDesc(target, .f32), dnnl_query_dst_md, 0, true)]
        })
        var outputs = [DNNL_ARG_DST: Tensor(uninitializedShape: target)]
        run(p, inputs: [DNNL_ARG_SRC: x], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }
}
