import CDNNL

extension Kernels {
    /// True when int8 conv/matmul are exact for every u8/s8 input (the CPU has AVX-512 VNNI); see
    /// `conv2dInt8` for the ranges that are exact on older CPUs.
    public static var int8IsExact: Bool { DNNL.hasVNNI }

    /// True when `conv2dInt8` is exact for every u8 source in 0...255 with a `sourceZeroPoint`
    /// (an s8 tensor stored as u8 `x + 128`): with VNNI for every convolution, and on every CPU for
    /// a depthwise one (one input channel per group, one output channel per group), which oneDNN's
    /// AVX2 kernel multiplies in 32 bits (no pairwise 16-bit sums), so nothing saturates.
    public static func int8ShiftIsExact(inputChannels: Int, filterShape ws: [Int], groups: Int) -> Bool {
        int8IsExact || isDepthwise(inputChannels: inputChannels, filterShape: ws, groups: groups)
    }

    /// Whether a convolution of `inputChannels` with filter `ws` [O, C/groups, KH, KW] in `groups`
    /// groups is depthwise: one input and one output channel per group.
    public static func isDepthwise(inputChannels: Int, filterShape ws: [Int], groups: Int) -> Bool {
        groups > 1 && inputChannels == groups && ws.count == 4 && ws[0] == groups && ws[1] == 1
    }

    /// Attributes of an int8 primitive: output scales (one common, or one per index of dimension 1:
    /// output channel / column) and the post-op chain; a sum post-op reads the destination's bytes
    /// as `sumType` (the residual's type, of the output type's size).
    static func int8Attributes(outputScales: [Float], postOps: [PostOp], sumType: DType) -> PrimitiveAttributes {
        let attr = PrimitiveAttributes()
        attr.setOutputScales(outputScales, mask: outputScales.count > 1 ? 1 << 1 : 0)
        attr.setPostOps(postOps, sumType: sumType)
        return attr
    }

    /// The type a sum post-op reads the residual as: `residualType`, which must have the output
    /// type's size (u8 and s8 share the bytes of an int8 output), or the output type.
    static func int8SumType(_ residualType: DType?, outputType: DType) -> DType {
        let t = residualType ?? outputType
        precondition(t.byteSize == outputType.byteSize, "a \(t) residual cannot be summed into a \(outputType) output")
        return t
    }

    /// Checks the arguments every int8 kernel shares.
    static func int8Check(source: Tensor, channels: Int, outputScales: [Float], postOps: [PostOp], hasResidual: Bool) {
        precondition(source.dtype == .u8 || source.dtype == .s8, "int8 kernels take u8 or s8 activations, got \(source.dtype)")
        precondition(outputScales.count == 1 || outputScales.count == channels, "\(outputScales.count) output scales for \(channels) channels")
        PostOp.validate(postOps, hasResidual: hasResidual)
    }

    /// Integer convolution (inference) with oneDNN's int8 semantics. x [N,C,H,W] u8 or s8, w
    /// [O, C/groups, KH, KW] s8, b [O] f32 or nil; for each output element (channel o):
    ///   acc = Σ x·w (exact s32), v = outputScale[o] * (acc + b[o]) (f32; one common scale or one per o),
    ///   v = postOps(v) in order (relu, clip, ..., sum: v += scale * residual),
    ///   y = saturate(roundNearestEven(v)) to `outputType` (u8, s8, s32; f32 keeps v).
    /// `residual` (with a `.sum` post-op) has the output's shape and the output's type, or for an
    /// integer output the other 8-bit type (an s8 shortcut summed into a u8 output after ReLU). The scales are compiled
    /// into the primitive: one primitive per layer, created on its first call and then reused.
    /// The weights are reordered into the primitive's layout once per weight tensor (`packedConstant`);
    /// the output is held in the layout the primitive chose (NHWC), which the next int8 convolution
    /// reads as it is (every accessor still sees plain NCHW).
    ///
    /// `sourceZeroPoint` z (u8 sources only): the convolution reads `x - z`, and padding holds `z`
    /// (the value 0), so an s8 tensor stored as u8 `x + 128` convolves as the s8 tensor does. On
    /// VNNI hosts the u8 kernels are faster than the s8 ones (no sign compensation); without VNNI
    /// only depthwise convolutions are exact so (`int8ShiftIsExact`).
    ///
    /// Hardware note (`int8IsExact`): without AVX-512 VNNI (AVX2, AVX-512 before Cascade Lake) oneDNN
    /// adds u8·s8 products in pairs with 16-bit saturation. u8 activations in [0, 127] (Paddle's
    /// 8-bit range) with any s8 weights are exact. For s8 activations the convolution halves the
    /// weights (odd weights lose their last bit: exact only for even weights), and `matmulInt8`
    /// (gemm, x + 128) saturates unless weights are in [-64, 63]. VNNI is exact for all of them.
    public static func conv2dInt8(_ x: Tensor, filter w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, outputScales: [Float],
                                  postOps: [PostOp] = [], residual: Tensor? = nil, outputType: DType, sourceZeroPoint: Int32 = 0) -> Tensor {
        precondition(w.dtype == .s8, "int8 conv weights must be s8, got \(w.dtype)")
        precondition(b.map { $0.dtype == .f32 && $0.shape == [w.shape[0]] } ?? true, "int8 bias must be f32 [\(w.shape[0])]")
        return conv2dInt8Call(x, filterShape: w.shape, hasBias: b != nil, geometry: g, outputScales: outputScales, postOps: postOps,
                              hasResidual: residual != nil, residualType: residual?.dtype, outputType: outputType, sourceZeroPoint: sourceZeroPoint)
            .run(x, weights: w, bias: b, residual: residual)
    }

    /// `conv2dInt8` resolved for `x`'s shape and type and the other arguments' shapes: the cached
    /// primitive, to run on many inputs of that shape (`Int8KernelCall.run`).
    public static func conv2dInt8Call(_ x: Tensor, filterShape ws: [Int], hasBias: Bool, geometry g: ConvGeometry, outputScales: [Float],
                                      postOps: [PostOp] = [], hasResidual: Bool = false, residualType: DType? = nil,
                                      outputType: DType, sourceZeroPoint: Int32 = 0) -> Int8KernelCall {
        let c = ConvShapes(x: x.shape, w: ws, g: g)
        let o = ws[0]
        int8Check(source: x, channels: o, outputScales: outputScales, postOps: postOps, hasResidual: hasResidual)
        precondition(sourceZeroPoint == 0 || x.dtype == .u8, "a source zero point needs u8 activations")
        let sumType = int8SumType(residualType, outputType: outputType)
        let geometry = [x.dtype.code, hasBias ? 1 : 0, outputType.code, sumType.code, Int(sourceZeroPoint)] + x.shape + ws + g.strides + g.paddings + g.dilations
        let macs = c.y.reduce(1, *) * ws[1...].reduce(1, *)
        let p = int8Primitive(Int8PrimitiveKey(shape: [0, g.groups] + geometry, postOps: postOps, outputScales: outputScales), macs: macs) {
            let key = "conv_int8 " + c.key
            var desc = dnnl_convolution_desc_t()
            var xs = MemoryDesc(c.x, x.dtype, plain: false), wd = MemoryDesc(c.groupedW, .s8, plain: false)
            var ys = MemoryDesc(c.y, outputType, plain: false), bs = MemoryDesc([o], .f32)
            let biasDesc = hasBias ? bs.pointer() : nil
            defer { biasDesc?.deallocate() }
            c.withGeometry { s, d, l, r in
                DNNL.check(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct,
                    &xs.raw, &wd.raw, biasDesc, &ys.raw, s, d, l, r), "int8 conv desc \(key)")
            }
            let attr = int8Attributes(outputScales: outputScales, postOps: postOps, sumType: sumType)
            if sourceZeroPoint != 0 { attr.setRuntimeZeroPoint(DNNL_ARG_SRC) }
            let prim = withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), attr: attr.handle, what: key) }
            let p = PreparedPrimitive(prim)
            p.bind(DNNL_ARG_SRC, plain: MemoryDesc(c.x, x.dtype), chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc(c.groupedW, .s8), chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            if hasBias { p.bind(DNNL_ARG_BIAS, plain: bs, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
            p.bind(DNNL_ARG_DST, plain: MemoryDesc(c.y, outputType), chosen: prim.md(dnnl_query_dst_md), isOutput: true,
                   readsOutput: hasResidual)
            if sourceZeroPoint != 0 {
                let zero = p.own(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, MemoryDesc([1], .s32))
                zero.pointer.storeBytes(of: sourceZeroPoint, as: Int32.self)
            }
            return p
        }
        return Int8KernelCall(p, source: x, weightShape: ws, outputShape: c.y, outputType: outputType, hasBias: hasBias,
                              biasShape: [o], residualType: hasResidual ? sumType : nil)
    }
}
