import CDNNL

extension Kernels {
    /// c = op(a) · op(b) on 2-D tensors (Paddle `mul`); a transpose is a strided view, not a copy.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2, "matmul takes 2-D tensors")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul inner dimensions \(a.shape) x \(b.shape) (tA \(transposeA), tB \(transposeB))")
        return matmul(a, MemoryDesc([m, k], strides: transposeA ? [1, m] : [k, 1], .f32),
                      b, MemoryDesc([k, n], strides: transposeB ? [1, k] : [n, 1], .f32),
                      output: [m, n], key: "matmul \(m)x\(k)x\(n) tA\(transposeA) tB\(transposeB)")
    }

    /// c[i] = op(a[i]) · op(b[i]) for each of the `B` matrices of 3-D tensors [B, M, K] x [B, K, N]
    /// (transposes as strided views); one cached oneDNN matmul primitive per shape.
    public static func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 3 && b.shape.count == 3 && a.shape[0] == b.shape[0], "batchedMatmul takes [B, M, K] x [B, K, N]")
        let batch = a.shape[0]
        let (m, k) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
        let (k2, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
        precondition(k == k2, "batchedMatmul inner dimensions \(a.shape) x \(b.shape) (tA \(transposeA), tB \(transposeB))")
        return matmul(a, MemoryDesc([batch, m, k], strides: transposeA ? [m * k, 1, m] : [m * k, k, 1], .f32),
                      b, MemoryDesc([batch, k, n], strides: transposeB ? [k * n, 1, k] : [k * n, n, 1], .f32),
                      output: [batch, m, n], key: "batched matmul \(batch)x\(m)x\(k)x\(n) tA\(transposeA) tB\(transposeB)")
    }

    /// The cached oneDNN matmul of `a` and `b` seen through `aDesc` and `bDesc` into a plain
    /// f32 tensor of shape `output`.
    private static func matmul(_ a: Tensor, _ aDesc: @autoclosure () -> MemoryDesc, _ b: Tensor, _ bDesc: @autoclosure () -> MemoryDesc,
                               output: [Int], key: String) -> Tensor {
        // The descriptors are built only when the key is not cached yet (a call's own cost at batch 1).
        let p = prepared(key, desc: { () -> dnnl_matmul_desc_t in
            var desc = dnnl_matmul_desc_t()
            var (ra, rb, rc) = (aDesc().raw, bDesc().raw, MemoryDesc(output, .f32).raw)
            DNNL.check(dnnl_matmul_desc_init(&desc, &ra, &rb, nil, &rc), "matmul desc")
            return desc
        }, args: {
            [(DNNL_ARG_SRC, aDesc(), dnnl_query_src_md, 0, false),
             (DNNL_ARG_WEIGHTS, bDesc(), dnnl_query_weights_md, 0, false),
             (DNNL_ARG_DST, MemoryDesc(output, .f32), dnnl_query_dst_md, 0, true)]
        })
        var outputs = [DNNL_ARG_DST: Tensor(uninitializedShape: output)]
        run(p, inputs: [DNNL_ARG_SRC: a, DNNL_ARG_WEIGHTS: b], outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }
}
