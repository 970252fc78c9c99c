import CDNNL

extension Kernels {
    /// Plain descriptors of a convolution: x [N,C,H,W], weights [g, O/g, C/g, KH, KW] (same bytes as
    /// [O, C/g, KH, KW]), y [N,O,OH,OW].
    struct ConvShapes {
        let x, w, y: [Int]
        let groupedW: [Int]
        let g: ConvGeometry

        init(x: [Int], w: [Int], g: ConvGeometry) {
            precondition(x.count == 4 && w.count == 4, "conv2d takes 4-D input and filter")
            precondition(x[1] == w[1] * g.groups && w[0] % g.groups == 0, "conv2d channels \(x) vs \(w), groups \(g.groups)")
            self.x = x
            self.w = w
            self.g = g
            y = g.outputShape(input: x, filter: w)
            groupedW = g.groups == 1 ? w : [g.groups, w[0] / g.groups, w[1], w[2], w[3]]
        }

        /// Multiply-adds of one call: every output element sums C/groups x KH x KW products.
        var macs: Int { y.reduce(1, *) * w[1] * w[2] * w[3] }

        var key: String { "x\(x.cacheKey) w\(w.cacheKey) s\(g.strides.cacheKey) p\(g.paddings.cacheKey) d\(g.dilations.cacheKey) g\(g.groups)" }

        /// One input and one output channel per group. oneDNN's gemm convolution runs a depthwise
        /// backward-weights (where its jit one does not apply: maps smaller than the filter) as one tiny
        /// GEMM per group and image, about 3x slower than its reference implementation, which is taken
        /// instead (MobileNetV1's last depthwise layer at batch 64: 135 -> 41 ms).
        var isDepthwise: Bool { g.groups > 1 && g.groups == x[1] && g.groups == w[0] }

        /// A 1x1 filter, stride 1, no padding or dilation, one group: each output pixel is the
        /// input pixel's channels times a [C, O] matrix.
        var isPointwise: Bool {
            w[2] == 1 && w[3] == 1 && g.strides == [1, 1] && g.paddings == [0, 0, 0, 0] && g.dilations == [1, 1] && g.groups == 1
        }

        /// Whether the input map is smaller than the (dilated) filter, where oneDNN's jit depthwise
        /// backward-weights does not apply.
        var mapSmallerThanFilter: Bool {
            x[2] < g.dilations[0] * (w[2] - 1) + 1 || x[3] < g.dilations[1] * (w[3] - 1) + 1
        }

        /// Calls `body` with the geometry arrays oneDNN wants (dilation 0 = dense).
        func withGeometry<R>(_ body: (UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>, UnsafePointer<dnnl_dim_t>) -> R) -> R {
            let s = g.strides.map { dnnl_dim_t($0) }
            let d = g.dilations.map { dnnl_dim_t($0 - 1) }
            let l = [dnnl_dim_t(g.paddings[0]), dnnl_dim_t(g.paddings[1])]
            let r = [dnnl_dim_t(g.paddings[2]), dnnl_dim_t(g.paddings[3])]
            return body(s, d, l, r)
        }
    }

    /// The forward primitive (also the hint of both backward primitives); `activation`, applied to
    /// the result in the same primitive (an eltwise post-op), only for inference.
    ///
    /// `inferenceLayouts` (inference): a convolution of at most `channelsLastRows` output rows takes
    /// channels-last input and output (unless oneDNN has only its reference kernel for that), and a
    /// pointwise convolution of more than one image on a map smaller than `pointwiseMatmulPixels`
    /// whose input and output are channels-last runs as the matmul of the same bytes
    /// (`pointwiseMatmul`); its weights slot is then the [C, O] matrix.
    static func convForwardPrimitive(_ c: ConvShapes, bias: Bool, training: Bool, activation: EltwiseKind? = nil,
                                     residual: Bool = false, inferenceLayouts: Bool = false) -> PreparedPrimitive {
        precondition((activation == nil && !residual) || !training, "a fused activation or residual is for inference only")
        let asMatmul = inferenceLayouts && !training && c.isPointwise && c.x[0] > 1 && c.x[2] * c.x[3] < pointwiseMatmulPixels
        let fewRows = inferenceLayouts && !training && c.y[0] * c.y[2] * c.y[3] <= channelsLastRows
        return PrimitiveCache.shared.value("conv_fwd \(c.key) b\(bias) t\(training) a\(activation?.cacheKey ?? "-")\(residual ? " r" : "")\(asMatmul ? " mm" : "")\(fewRows ? " cl" : "")") {
            var ws = MemoryDesc(c.groupedW, .f32, plain: false), bs = MemoryDesc([c.w[0]], .f32)
            let biasDesc = bias ? bs.pointer() : nil
            defer { biasDesc?.deallocate() }
            // The residual: a sum post-op adds what the destination holds, then the activation.
            let postOps = (residual ? [PostOp.sum(scale: 1)] : []) + (activation.map { [PostOp.eltwise($0)] } ?? [])
            let attributes = postOps.isEmpty ? nil : PrimitiveAttributes()
            attributes?.setPostOps(postOps, sumType: .f32)
            // Inference: small layers (batch 1) on fewer threads (`convMACsPerThread`); training keeps
            // every thread, so its numerics never depend on the layer size.
            let threads = training ? nil : threadsFor(work: c.macs, perThread: convMACsPerThread)
            func primitive(channelsLast: Bool) -> Primitive {
                var desc = dnnl_convolution_desc_t()
                var xs = channelsLast ? MemoryDesc(c.x, .f32, tag: dnnl_acdb) : MemoryDesc(c.x, .f32, plain: false)
                var ys = channelsLast ? MemoryDesc(c.y, .f32, tag: dnnl_acdb) : MemoryDesc(c.y, .f32, plain: false)
                c.withGeometry { s, d, l, r in
                    DNNL.check(dnnl_dilated_convolution_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference,
                        dnnl_convolution_direct, &xs.raw, &ws.raw, biasDesc, &ys.raw, s, d, l, r), "conv forward desc \(c.key)")
                }
                return withThreads(threads) {
                    withUnsafePointer(to: desc) { pointer in
                        withExtendedLifetime(attributes) { Primitive(opDesc: UnsafeRawPointer(pointer), attr: attributes?.handle, what: "conv forward") }
                    }
                }
            }
            var prim = primitive(channelsLast: fewRows)
            if fewRows, prim.implementation.hasPrefix("ref") { prim = primitive(channelsLast: false) }
            if asMatmul, let matmul = pointwiseMatmul(c, convolution: prim, bias: bias, attributes: attributes, threads: threads) {
                return matmul
            }
            let p = PreparedPrimitive(prim)
            p.threads = threads
            p.bind(DNNL_ARG_SRC, plain: MemoryDesc(c.x, .f32), chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc(c.groupedW, .f32), chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            if bias { p.bind(DNNL_ARG_BIAS, plain: bs, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
            p.bind(DNNL_ARG_DST, plain: MemoryDesc(c.y, .f32), chosen: prim.md(dnnl_query_dst_md), isOutput: true)
            return p
        }
    }

    /// Maps of fewer pixels than this run their pointwise convolutions as matmuls. oneDNN's 1x1
    /// convolution takes one image's pixels as the rows of a block: below a block's 16 rows it
    /// reads the whole filter again for every image (MobileNetV1's 2x2 layers at batch 64: 2.4x
    /// slower than the matmul); at 4x4 the two ran level, and from 13x13 (YOLOv3's head) up the
    /// convolution was 10-30% faster. One image reads the filter once either way, and there the
    /// convolution is the faster: batch 1, 2x2, channels-last, 2 threads, timed interleaved (AMD
    /// EPYC Zen 3, AVX2): 512 -> 1024 0.048 vs 0.072 ms, 1024 -> 1024 0.150 vs 0.184 ms, so a
    /// batch of one keeps the convolution.
    static let pointwiseMatmulPixels = 16

    /// Inference convolutions whose output has at most this many rows (batch x pixels:
    /// MobileNetV1's 4x4 and 2x2 layers at batch 1) take channels-last input and output, not the
    /// blocked layouts oneDNN picks on AVX2 hosts (on AVX-512 hosts it picks channels-last for the
    /// pointwise ones itself). There oneDNN's blocked 1x1 convolution splits its work across
    /// threads by rows, so at batch 1 one thread streams the whole filter; channels-last it splits
    /// the filter. Timed alone on 2 threads, filters cold, interleaved (AVX2): 512 -> 512 at 4x4
    /// 0.23 -> 0.19 ms, 1024 -> 1024 at 2x2 0.41 -> 0.28 ms (as the matmul of
    /// `pointwiseMatmulPixels`); the depthwise ones (`jit_dw` either way) 0.012 -> 0.009 ms. Being
    /// the same layout, the layers of a network's small maps pass their outputs on without reorders.
    static let channelsLastRows = 16

    /// The pointwise convolution `c` as a oneDNN matmul [N·H·W, C] x [C, O] (+ bias, the same post-ops),
    /// when the convolution primitive chose dense channels-last (NHWC) input and output: those
    /// bytes are the two matrices, so the slots keep the convolution's 4-D layouts (neighbouring
    /// layers see no change) and hand the matmul 2-D views of them. oneDNN's 1x1 convolution takes
    /// the rows one image at a time, which at small maps (MobileNetV1's 2x2 layers) reads the
    /// whole filter once per image; the matmul takes all N·H·W rows at once (2.3x faster at
    /// 64 x 2x2 x 1024 -> 1024, 2 threads). nil when the layouts are not channels-last (e.g.
    /// oneDNN's blocked layouts on AVX2 hosts): the convolution runs.
    private static func pointwiseMatmul(_ c: ConvShapes, convolution: Primitive, bias: Bool, attributes: PrimitiveAttributes?,
                                        threads: Int?) -> PreparedPrimitive? {
        let source = convolution.md(dnnl_query_src_md), destination = convolution.md(dnnl_query_dst_md)
        guard source.equals(MemoryDesc(c.x, .f32, tag: dnnl_acdb)), destination.equals(MemoryDesc(c.y, .f32, tag: dnnl_acdb)) else { return nil }
        let rows = c.x[0] * c.x[2] * c.x[3], inputs = c.x[1], outputs = c.w[0]
        let bs = MemoryDesc([1, outputs], .f32)
        let prim = matmulPrimitive(MemoryDesc([rows, inputs], .f32), MemoryDesc([inputs, outputs], .f32, plain: false),
                                   MemoryDesc([rows, outputs], .f32), bias: bias ? bs : nil, attributes: attributes, threads: threads,
                                   what: "pointwise conv as matmul \(c.key)")
        let p = PreparedPrimitive(prim)
        p.threads = threads
        p.bind(DNNL_ARG_SRC, plain: MemoryDesc(c.x, .f32), chosen: source, executed: prim.md(dnnl_query_src_md), isOutput: false)
        // The plain filter [O, C, 1, 1] read as the [C, O] matrix (column-major): the slot's plain form.
        p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc([inputs, outputs], strides: [1, inputs], .f32), chosen: prim.md(dnnl_query_weights_md),
               isOutput: false)
        if bias { p.bind(DNNL_ARG_BIAS, plain: bs, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
        p.bind(DNNL_ARG_DST, plain: MemoryDesc(c.y, .f32), chosen: destination, executed: prim.md(dnnl_query_dst_md), isOutput: true)
        return p
    }

    /// y = conv(x, w) + b. x [N,C,H,W], w [O, C/groups, KH, KW], b [O] or nil.
    public static func conv2dForward(_ x: Tensor, filter w: Tensor, bias b: Tensor?, geometry g: ConvGeometry, training: Bool) -> Tensor {
        let c = ConvShapes(x: x.shape, w: w.shape, g: g)
        let p = convForwardPrimitive(c, bias: b != nil, training: training)
        var inputs = [DNNL_ARG_SRC: x, DNNL_ARG_WEIGHTS: w]
        if let b { inputs[DNNL_ARG_BIAS] = b }
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: c.y, writesPadding: true)]
        run(p, inputs: inputs, outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// dx = conv_transpose(dy, w): the gradient of conv2d with respect to its input.
    public static func conv2dBackwardData(_ dy: Tensor, filter w: Tensor, inputShape: [Int], geometry g: ConvGeometry) -> Tensor {
        let c = ConvShapes(x: inputShape, w: w.shape, g: g)
        precondition(dy.shape == c.y, "conv2d backward: dy \(dy.shape) != \(c.y)")
        let p = PrimitiveCache.shared.value("conv_bwd_data \(c.key)") { () -> PreparedPrimitive in
            let hint = convForwardPrimitive(c, bias: false, training: true)
            var desc = dnnl_convolution_desc_t()
            var xs = MemoryDesc(c.x, .f32, plain: false), ws = MemoryDesc(c.groupedW, .f32, plain: false)
            var ys = MemoryDesc(c.y, .f32, plain: false)
            c.withGeometry { s, d, l, r in
                DNNL.check(dnnl_dilated_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct,
                    &xs.raw, &ws.raw, &ys.raw, s, d, l, r), "conv backward data desc \(c.key)")
            }
            let prim = withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), hint: hint.primitive, what: "conv backward data") }
            let p = PreparedPrimitive(prim)
            p.bind(DNNL_ARG_DIFF_DST, plain: MemoryDesc(c.y, .f32), chosen: prim.md(dnnl_query_diff_dst_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: MemoryDesc(c.groupedW, .f32), chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            p.bind(DNNL_ARG_DIFF_SRC, plain: MemoryDesc(c.x, .f32), chosen: prim.md(dnnl_query_diff_src_md), isOutput: true)
            return p
        }
        var outputs = [DNNL_ARG_DIFF_SRC: output(p, DNNL_ARG_DIFF_SRC, shape: c.x, writesPadding: true)]
        run(p, inputs: [DNNL_ARG_DIFF_DST: dy, DNNL_ARG_WEIGHTS: w], outputs: &outputs)
        return outputs[DNNL_ARG_DIFF_SRC]!
    }

    /// dw (and db = sum of dy over N, H, W): the gradients of conv2d with respect to its parameters.
    public static func conv2dBackwardWeights(_ x: Tensor, _ dy: Tensor, filterShape: [Int], geometry g: ConvGeometry, withBias: Bool) -> (filter: Tensor, bias: Tensor?) {
        let c = ConvShapes(x: x.shape, w: filterShape, g: g)
        precondition(dy.shape == c.y, "conv2d backward: dy \(dy.shape) != \(c.y)")
        if g.groups == 1, x.shape[1] < 3 {
            // oneDNN's avx2 backward-weights has a direct path for 3 input channels; 1 or 2 are padded to
            // a block of 8 (LeNet's first layer: 2.0 -> 1.0 ms). Zero channels add nothing to dW.
            var shape3 = filterShape
            shape3[1] = 3
            let r = conv2dBackwardWeights(channelPadded(x, to: 3), dy, filterShape: shape3, geometry: g, withBias: withBias)
            return (slice(r.filter, axis: 1, range: 0..<x.shape[1]), r.bias)
        }
        if c.isDepthwise, c.mapSmallerThanFilter, g.paddings.contains(where: { $0 != 0 }) {
            var unpadded = g
            unpadded.paddings = [0, 0, 0, 0]
            return conv2dBackwardWeights(zeroPadded(x, g.paddings), dy, filterShape: filterShape, geometry: unpadded, withBias: withBias)
        }
        let p = PrimitiveCache.shared.value("conv_bwd_weights \(c.key) b\(withBias)") { () -> PreparedPrimitive in
            let hint = convForwardPrimitive(c, bias: withBias, training: true)
            var desc = dnnl_convolution_desc_t()
            var xs = MemoryDesc(c.x, .f32, plain: false), ws = MemoryDesc(c.groupedW, .f32, plain: false)
            var ys = MemoryDesc(c.y, .f32, plain: false), bs = MemoryDesc([c.w[0]], .f32)
            let biasDesc = withBias ? bs.pointer() : nil
            defer { biasDesc?.deallocate() }
            c.withGeometry { s, d, l, r in
                DNNL.check(dnnl_dilated_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct,
                    &xs.raw, &ws.raw, biasDesc, &ys.raw, s, d, l, r), "conv backward weights desc \(c.key)")
            }
            let prim = withUnsafePointer(to: desc) {
                Primitive(opDesc: UnsafeRawPointer($0), hint: hint.primitive, avoiding: c.isDepthwise ? [":gemm"] : [], what: "conv backward weights")
            }
            let p = PreparedPrimitive(prim)
            p.bind(DNNL_ARG_SRC, plain: MemoryDesc(c.x, .f32), chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_DIFF_DST, plain: MemoryDesc(c.y, .f32), chosen: prim.md(dnnl_query_diff_dst_md), isOutput: false)
            p.bind(DNNL_ARG_DIFF_WEIGHTS, plain: MemoryDesc(c.groupedW, .f32), chosen: prim.md(dnnl_query_diff_weights_md), isOutput: true)
            if withBias { p.bind(DNNL_ARG_DIFF_BIAS, plain: bs, chosen: prim.md(dnnl_query_diff_weights_md, 1), isOutput: true) }
            return p
        }
        var outputs = [DNNL_ARG_DIFF_WEIGHTS: Tensor(uninitializedShape: filterShape)]
        if withBias { outputs[DNNL_ARG_DIFF_BIAS] = Tensor(uninitializedShape: [filterShape[0]]) }
        run(p, inputs: [DNNL_ARG_SRC: x, DNNL_ARG_DIFF_DST: dy], outputs: &outputs)
        return (outputs[DNNL_ARG_DIFF_WEIGHTS]!, outputs[DNNL_ARG_DIFF_BIAS])
    }

    /// x [N,C,H,W] with `paddings` [top, left, bottom, right] zero rows and columns added, in x's
    /// channel blocking (`nChw8c` stays `nChw8c`). A depthwise backward-weights on a map smaller than
    /// its filter runs on the padded map without padding, which oneDNN's jit kernel takes
    /// (MobileNetV1's last depthwise layer: ~10x faster than the reference kernel).
    static func zeroPadded(_ x: Tensor, _ paddings: [Int]) -> Tensor {
        let source = x.layout?.channelBlock == nil ? x.plain() : x
        let block = source.layout?.channelBlock ?? 1
        let (h, w) = (x.shape[2], x.shape[3])
        let shape = [x.shape[0], x.shape[1], h + paddings[0] + paddings[2], w + paddings[1] + paddings[3]]
        let layout = source.layout?.channelBlockedLayout(shape)
        let out = Tensor(uninitializedShape: shape, layout: layout)
        out.buffer.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.buffer.byteCount)
        let planes = x.shape[0] * ((x.shape[1] + block - 1) / block), (rowIn, rowOut) = (w * block, shape[3] * block)
        precondition(planes * h * rowIn * 4 <= source.buffer.byteCount && planes * shape[2] * rowOut * 4 <= out.buffer.byteCount,
                     "zeroPadded: \(x.shape) in blocks of \(block) does not fit its buffers")
        let src = source.buffer.pointer.assumingMemoryBound(to: Float.self), dst = out.buffer.pointer.assumingMemoryBound(to: Float.self)
        for plane in 0..<planes {
            for row in 0..<h {
                (dst + plane * shape[2] * rowOut + (row + paddings[0]) * rowOut + paddings[1] * block)
                    .update(from: src + plane * h * rowIn + row * rowIn, count: rowIn)
            }
        }
        return out
    }

    /// Plain x [N,C,H,W] with zero channels appended up to `channels`.
    static func channelPadded(_ x: Tensor, to channels: Int) -> Tensor {
        let plane = x.shape[1] * x.shape[2] * x.shape[3], padded = channels * x.shape[2] * x.shape[3]
        var out = Tensor(shape: [x.shape[0], channels, x.shape[2], x.shape[3]])
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                for n in 0..<x.shape[0] { (dst.baseAddress! + n * padded).update(from: src.baseAddress! + n * plane, count: plane) }
            }
        }
        return out
    }
}
