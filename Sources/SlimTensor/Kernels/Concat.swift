import CDNNL

extension Kernels {
    /// Joins tensors along `axis` (negative counts from the end): every input has the output's shape
    /// except along `axis`, where the sizes add up; y[..., offset_i + j, ...] = xs[i][..., j, ...] with
    /// offset_i = Σ_{k<i} xs[k].shape[axis]. Any dtype (all inputs the same). The gradient is `split`.
    public static func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        precondition(!xs.isEmpty, "concat of no tensors")
        let rank = xs[0].shape.count, dtype = xs[0].dtype
        let a = axis < 0 ? axis + rank : axis
        precondition(rank >= 1 && a >= 0 && a < rank, "concat axis \(axis) for rank \(rank)")
        for x in xs {
            precondition(x.dtype == dtype, "concat of \(dtype) and \(x.dtype)")
            precondition(x.shape.count == rank && (0..<rank).allSatisfy { $0 == a || x.shape[$0] == xs[0].shape[$0] },
                         "concat shapes \(xs.map(\.shape)) along axis \(a)")
        }
        var shape = xs[0].shape
        shape[a] = xs.map { $0.shape[a] }.reduce(0, +)
        let parts = xs.filter { $0.count > 0 }   // oneDNN rejects empty sources; they add nothing
        if parts.count == 1 { return parts[0] }
        if parts.isEmpty { return Tensor(shape: shape, dtype: dtype) }
        if let joined = concatByCopies(parts, axis: a, shape: shape) { return joined }
        let p = concatPrimitive(parts.map(\.shape), axis: a, output: shape, dtype: dtype)
        var inputs: [Int32: Tensor] = [:]
        for (i, x) in parts.enumerated() { inputs[DNNL_ARG_MULTIPLE_SRC + Int32(i)] = x }
        // The result stays in the primitive's layout (channels-last for 8-bit images: the next
        // int8 convolution reads it as it is).
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: shape, dtype: dtype, writesPadding: true)]
        run(p, inputs: inputs, outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }

    /// The concatenation as copies of contiguous runs, when each piece's bytes are `outer` runs
    /// that follow one another in the output: plain pieces (a run is everything from `axis` on),
    /// or f32 4-D pieces held densely in the same channel blocks (`TensorLayout.denseChannelBlock`,
    /// a convolution's output) with whole blocks of channels, joined along the channels (a run is
    /// an image's blocks; the result is held in those blocks, as the next convolution reads it).
    /// Nil otherwise, or when runs are shorter than 64 bytes on average (then oneDNN's concat).
    /// oneDNN 2.6's concat moves about 0.7 GB/s where a copy moves 5 (a detector's route,
    /// 4 MB: 6 ms against 0.85 ms on one core).
    private static func concatByCopies(_ parts: [Tensor], axis: Int, shape: [Int]) -> Tensor? {
        let outer = shape[..<axis].reduce(1, *), elementBytes = parts[0].dtype.byteSize
        var layout: TensorLayout?
        if parts.allSatisfy({ $0.layout == nil }) {
            layout = nil
        } else if axis == 1, parts[0].dtype == .f32, shape.count == 4, let block = parts[0].layout?.denseChannelBlock,
                  parts.allSatisfy({ $0.layout?.denseChannelBlock == block && $0.shape[1] % block == 0 }),
                  let blocked = parts[0].layout?.channelBlockedLayout(shape) {
            layout = blocked
        } else {
            return nil
        }
        // Each piece's run: its bytes per outer index (a blocked piece has no padding: whole blocks).
        let runs = parts.map { $0.count / outer * elementBytes }   // every piece is non-empty, so outer > 0
        let total = runs.reduce(0, +)
        guard total >= 64 * parts.count else { return nil }
        let y = Tensor(uninitializedShape: shape, dtype: parts[0].dtype, layout: layout, zeroPadding: false)
        let target = y.buffer.pointer
        var offset = 0
        for (part, run) in zip(parts, runs) {
            let source = UnsafeRawPointer(part.buffer.pointer)
            for o in 0..<outer { (target + o * total + offset).copyMemory(from: source + o * run, byteCount: run) }
            offset += run
        }
        return y
    }

    private static func concatPrimitive(_ shapes: [[Int]], axis: Int, output: [Int], dtype: DType) -> PreparedPrimitive {
        PrimitiveCache.shared.value("concat \(dtype) \(shapes) a\(axis)") {
            // 8-bit images (the INT8 engine's activations) are concatenated channels-last, the
            // layout its convolutions read and write, so nothing is reordered on either side.
            let channelsLast = (dtype == .s8 || dtype == .u8) && output.count == 4
            func desc(_ shape: [Int]) -> MemoryDesc { channelsLast ? Kernels.channelsLast(shape, dtype) : MemoryDesc(shape, dtype) }
            let sources = shapes.map { desc($0).raw }
            let dst = desc(output)
            var pd: OpaquePointer?
            sources.withUnsafeBufferPointer { s in
                withUnsafePointer(to: dst.raw) { d in
                    DNNL.check(dnnl_concat_primitive_desc_create(&pd, d, Int32(shapes.count), Int32(axis), s.baseAddress, nil, DNNL.engine),
                               "concat_primitive_desc_create \(shapes) axis \(axis)")
                }
            }
            let prim = Primitive(primitiveDesc: pd!, what: "concat")
            let p = PreparedPrimitive(prim)
            for (i, shape) in shapes.enumerated() {
                p.bind(DNNL_ARG_MULTIPLE_SRC + Int32(i), plain: MemoryDesc(shape, dtype), chosen: prim.md(dnnl_query_src_md, Int32(i)), isOutput: false)
            }
            p.bind(DNNL_ARG_DST, plain: MemoryDesc(output, dtype), chosen: prim.md(dnnl_query_dst_md), isOutput: true)
            return p
        }
    }

    /// Cuts x along `axis` into consecutive pieces of `sizes` (which add up to x.shape[axis]):
    /// piece i holds x[..., offset_i ..< offset_i + sizes[i], ...]. The inverse (and gradient) of `concat`.
    public static func split(_ x: Tensor, axis: Int, sizes: [Int]) -> [Tensor] {
        let a = axis < 0 ? axis + x.shape.count : axis
        precondition(a >= 0 && a < x.shape.count, "split axis \(axis) for \(x.shape)")
        precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == x.shape[a], "split sizes \(sizes) for \(x.shape) axis \(a)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(x, axis: a, range: start..<(start + size))
        }
    }

    /// x[..., range, ...] along `axis`: a strided copy (any dtype).
    public static func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        let a = axis < 0 ? axis + x.shape.count : axis
        precondition(a >= 0 && a < x.shape.count, "slice axis \(axis) for \(x.shape)")
        precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[a], "slice \(range) of \(x.shape) axis \(a)")
        var shape = x.shape
        shape[a] = range.count
        if range.count == x.shape[a] { return x }
        var y = Tensor(uninitializedShape: shape, dtype: x.dtype)
        let outer = x.shape[..<a].reduce(1, *)
        let inner = x.shape[(a + 1)...].reduce(1, *) * x.dtype.byteSize
        let (rowIn, rowOut) = (x.shape[a] * inner, range.count * inner)
        x.withUnsafeBytes { src in
            y.withUnsafeMutableBytes { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress, rowOut > 0 else { return }
                for o in 0..<outer { (d + o * rowOut).copyMemory(from: s + o * rowIn + range.lowerBound * inner, byteCount: rowOut) }
            }
        }
        return y
    }
}
