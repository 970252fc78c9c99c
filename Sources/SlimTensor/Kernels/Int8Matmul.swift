import CDNNL

extension Kernels {
    /// Integer matrix product (Paddle `mul`, inference) with oneDNN's int8 semantics. a [M,K] u8 or
    /// s8, b [K,N] s8, bias [N] f32 or nil; for each output element (row m, column n):
    ///   acc = Σ_k a[m,k]·b[k,n] (exact s32), v = outputScale[n] * (acc + bias[n]) (one common scale or one per n),
    ///   v = postOps(v) in order (sum: v += scale * residual[m,n]),
    ///   y = saturate(roundNearestEven(v)) to `outputType` (u8, s8, s32; f32 keeps v).
    /// The hardware note of `conv2dInt8` applies.
    public static func matmulInt8(_ a: Tensor, _ b: Tensor, bias: Tensor?, outputScales: [Float], postOps: [PostOp] = [],
                                  residual: Tensor? = nil, outputType: DType) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[0], "int8 matmul shapes \(a.shape) x \(b.shape)")
        precondition(b.dtype == .s8, "int8 matmul weights must be s8, got \(b.dtype)")
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        int8Check([m, n], source: a, bias: bias, channels: n, outputScales: outputScales, postOps: postOps, residual: residual,
                  outputType: outputType)
        let shape = [1, m, k, n, a.dtype.code, bias != nil ? 1 : 0, outputType.code]
        let p = int8Primitive(Int8PrimitiveKey(shape: shape, postOps: postOps, outputScales: outputScales), macs: m * k * n) {
            let key = "matmul_int8 " + [m, k, n].cacheKey
            let aDesc = MemoryDesc([m, k], a.dtype), cDesc = MemoryDesc([m, n], outputType), biasDesc = MemoryDesc([1, n], .f32)
            var (ra, rb, rc, rbias) = (aDesc.raw, MemoryDesc([k, n], .s8, plain: false).raw, cDesc.raw, biasDesc.raw)
            var desc = dnnl_matmul_desc_t()
            if bias != nil {
                DNNL.check(dnnl_matmul_desc_init(&desc, &ra, &rb, &rbias, &rc), "int8 matmul desc \(key)")
            } else {
                DNNL.check(dnnl_matmul_desc_init(&desc, &ra, &rb, nil, &rc), "int8 matmul desc \(key)")
            }
            let attr = int8Attributes(outputScales: outputScales, postOps: postOps, outputType: outputType)
            let prim = withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), attr: attr.handle, what: key) }
            let p = PreparedPrimitive(prim)
            p.bind(DNNL_ARG_SRC, plain: aDesc, chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc([k, n], .s8), chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            if bias != nil { p.bind(DNNL_ARG_BIAS, plain: biasDesc, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
            p.bind(DNNL_ARG_DST, plain: cDesc, chosen: prim.md(dnnl_query_dst_md), isOutput: true, readsOutput: residual != nil)
            return p
        }
        var inputs = [DNNL_ARG_SRC: a, DNNL_ARG_WEIGHTS: packedConstant(p, DNNL_ARG_WEIGHTS, b)]
        if let bias { inputs[DNNL_ARG_BIAS] = bias.reshaped([1, n]) }
        var outputs = [DNNL_ARG_DST: int8Destination(p, shape: [m, n], residual: residual, outputType: outputType)]
        runInt8(p, inputs: inputs, outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }
}
