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
    public static func add(_ a: Tensor, _ b: Tensor, axis: Int = -1) -> Tensor { binary(dnnl_binary_add, a, b, axis: axis) }

    /// a * b with b broadcast onto a.
    public static func multiply(_ a: Tensor, _ b: Tensor, axis: Int = -1) -> Tensor { binary(dnnl_binary_mul, a, b, axis: axis) }

    private static func binary(_ alg: dnnl_alg_kind_t, _ a: Tensor, _ b: Tensor, axis: Int) -> Tensor {
        let bShape = broadcastShape(b.shape, to: a.shape, axis: axis)
        let aDesc = MemoryDesc(a.shape, .f32), bDesc = MemoryDesc(bShape, .f32)
        var (ra, rb, rc) = (aDesc.raw, bDesc.raw, aDesc.raw)
        var desc = dnnl_binary_desc_t()
        DNNL.check(dnnl_binary_desc_init(&desc, alg, &ra, &rb, &rc), "binary desc")
        let p = prepared("binary \(alg.rawValue) \(a.shape) \(bShape)", desc: desc, args: [
            (DNNL_ARG_SRC_0, aDesc, dnnl_query_src_md, 0, false),
            (DNNL_ARG_SRC_1, bDesc, dnnl_query_src_md, 1, false),
            (DNNL_ARG_DST, aDesc, dnnl_query_dst_md, 0, true),
        ])
        var outputs = [DNNL_ARG_DST: Tensor(uninitializedShape: a.shape)]
        run(p, inputs: [DNNL_ARG_SRC_0: a, DNNL_ARG_SRC_1: b.reshaped(bShape)], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// Sums x down to `shape` (same element layout after padding `shape` with 1s on the left):
    /// the gradient of a broadcast.
    public static func reduceSum(_ x: Tensor, to shape: [Int]) -> Tensor {
        let target = [Int](repeating: 1, count: max(x.shape.count - shape.count, 0)) + shape
        precondition(target.count == x.shape.count, "reduceSum \(x.shape) to \(shape)")
        if target == x.shape { return x.reshaped(shape) }
        let src = MemoryDesc(x.shape, .f32), dst = MemoryDesc(target, .f32)
        var (rs, rd) = (src.raw, dst.raw)
        var desc = dnnl_reduction_desc_t()
        DNNL.check(dnnl_reduction_desc_init(&desc, dnnl_reduction_sum, &rs, &rd, 0, 0), "reduction desc")
        let p = prepared("reduce_sum \(x.shape) \(target)", desc: desc, args: [
            (DNNL_ARG_SRC, src, dnnl_query_src_md, 0, false), (DNNL_ARG_DST, dst, dnnl_query_dst_md, 0, true),
        ])
        var outputs = [DNNL_ARG_DST: Tensor(uninitializedShape: target)]
        run(p, inputs: [DNNL_ARG_SRC: x], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!.reshaped(shape)
    }
}
