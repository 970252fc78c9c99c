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
        precondition(b.dtype == .s8, "int8 matmul weights must be s8, got \(b.dtype)")
        precondition(b.shape.count == 2 && bias.map { $0.dtype == .f32 && $0.shape == [b.shape[1]] } ?? true,
                     "int8 bias must be f32 [\(b.shape.last ?? 0)]")
        return matmulInt8Call(a, weightShape: b.shape, hasBias: bias != nil, outputScales: outputScales, postOps: postOps,
                              hasResidual: residual != nil, residualType: residual?.dtype, outputType: outputType)
            .run(a, weights: b, bias: bias, residual: residual)
    }

    /// `matmulInt8` resolved for `a`'s shape and type and the other arguments' shapes: the cached
    /// primitive, to run on many inputs of that shape (`Int8KernelCall.run`).
    public static func matmulInt8Call(_ a: Tensor, weightShape bs: [Int], hasBias: Bool, outputScales: [Float], postOps: [PostOp] = [],
                                      hasResidual: Bool = false, residualType: DType? = nil, outputType: DType) -> Int8KernelCall {
        precondition(a.shape.count == 2 && bs.count == 2 && a.shape[1] == bs[0], "int8 matmul shapes \(a.shape) x \(bs)")
        let (m, k, n) = (a.shape[0], a.shape[1], bs[1])
        int8Check(source: a, channels: n, outputScales: outputScales, postOps: postOps, hasResidual: hasResidual)
        let sumType = int8SumType(residualType, outputType: outputType)
        let shape = [1, m, k, n, a.dtype.code, hasBias ? 1 : 0, outputType.code, sumType.code]
        let p = int8Primitive(Int8PrimitiveKey(shape: shape, postOps: postOps, outputScales: outputScales), macs: m * k * n) {
            let key = "matmul_int8 " + [m, k, n].cacheKey
            let aDesc = MemoryDesc([m, k], a.dtype), cDesc = MemoryDesc([m, n], outputType), biasDesc = MemoryDesc([1, n], .f32)
            var (ra, rb, rc, rbias) = (aDesc.raw, MemoryDesc([k, n], .s8, plain: false).raw, cDesc.raw, biasDesc.raw)
            var desc = dnnl_matmul_desc_t()
            if hasBias {
                DNNL.check(dnnl_matmul_desc_init(&desc, &ra, &rb, &rbias, &rc), "int8 matmul desc \(key)")
            } else {
                DNNL.check(dnnl_matmul_desc_init(&desc, &ra, &rb, nil, &rc), "int8 matmul desc \(key)")
            }
            let attr = int8Attributes(outputScales: outputScales, postOps: postOps, sumType: sumType)
            let prim = withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), attr: attr.handle, what: key) }
            let p = PreparedPrimitive(prim)
            p.bind(DNNL_ARG_SRC, plain: aDesc, chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc([k, n], .s8), chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            if hasBias { p.bind(DNNL_ARG_BIAS, plain: biasDesc, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
            p.bind(DNNL_ARG_DST, plain: cDesc, chosen: prim.md(dnnl_query_dst_md), isOutput: true, readsOutput: hasResidual)
            return p
        }
        return Int8KernelCall(p, source: a, weightShape: bs, outputShape: [m, n], outputType: outputType, hasBias: hasBias,
                              biasShape: [1, n], residualType: hasResidual ? sumType : nil)
    }
}
