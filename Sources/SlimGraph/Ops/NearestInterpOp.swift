import SlimTensor

/// `nearest_interp` (Paddle 1.6, `fluid.layers.resize_nearest`): nearest-neighbour resize of `X`
/// [N, C, H, W] to `Out` [N, C, out_h, out_w].
///
/// The output size is, by priority: input `OutSize` (s32 [2] = out_h, out_w), else attr `scale`
/// when positive (`out = Int(in * scale)`), else attrs `out_h`, `out_w`. With
/// `ratio = (in - 1) / (out - 1)` when `align_corners` (the default, true) and `out > 1`, else
/// `in / out` (f32; 0 when `out == 1`), output row `k` reads input row `Int(ratio * k + 0.5)`
/// when `align_corners`, `Int(ratio * k)` otherwise (columns likewise). For an exact 2x upsample
/// both modes copy each input pixel into a 2x2 block. Backward scatters:
/// `dX[in_k, in_l] += dOut[k, l]`. A plain loop; 8-bit values held channels-last (the INT8
/// engine's) and f32 values in oneDNN's channel blocks (a convolution's output) are copied pixel
/// by pixel in that layout (`Kernels.gatherPixelsInLayout`), so a detector's route reorders nothing.
public enum NearestInterpOp: Operator {
    public static let type = "nearest_interp"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        try checkAttrs(op)
        if inputs["OutSize"]?.isEmpty == false { return ["Out": [[x[0], x[1], -1, -1]]] }
        let (h, w) = try staticOutSize(op, inH: x[2], inW: x[3])
        return ["Out": [[x[0], x[1], h, w]]]
    }

    /// f32, or the s8/u8 integers of the INT8 engine (nearest interpolation copies values, so it
    /// runs on a quantized tensor as it is).
    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        try ShapeInference.requireRank(x.shape, [4], "X", of: context.op)
        guard x.shape[2] > 0, x.shape[3] > 0 else { throw GraphError("op 'nearest_interp': X \(x.shape) is empty") }
        let map = try indexMap(context, x.shape)
        if let out = Kernels.gatherPixelsInLayout(x, rows: map.rows, cols: map.cols) {
            context.setOutput("Out", 0, out)   // channels-last integers and channel-blocked floats stay so
            return
        }
        let out: Tensor
        switch x.dtype {
        case .f32: out = gather(x, Float.self, map)
        case .s8: out = gather(x, Int8.self, map)
        case .u8: out = gather(x, UInt8.self, map)
        case .s32: throw GraphError("op 'nearest_interp': X must be f32, s8 or u8, got s32")
        }
        context.setOutput("Out", 0, out)
    }

    /// `out[p, k, l] = x[p, rows[k], cols[l]]` over the N*C planes, elements of type `T`.
    private static func gather<T>(_ x: Tensor, _: T.Type, _ map: (rows: [Int], cols: [Int])) -> Tensor {
        var out = Tensor(shape: [x.shape[0], x.shape[1], map.rows.count, map.cols.count], dtype: x.dtype)
        let planes = x.shape[0] * x.shape[1], inPlane = x.shape[2] * x.shape[3], outW = map.cols.count
        x.withUnsafeElements(as: T.self) { src in
            out.withUnsafeMutableElements(as: T.self) { dst in
                for p in 0..<planes {
                    for (k, r) in map.rows.enumerated() {
                        let from = p * inPlane + r * x.shape[3], to = (p * map.rows.count + k) * outW
                        for (l, c) in map.cols.enumerated() { dst[to + l] = src[from + c] }
                    }
                }
            }
        }
        return out
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let map = try indexMap(context, x.shape)
        var dx = Tensor(shape: x.shape)
        let planes = x.shape[0] * x.shape[1], inPlane = x.shape[2] * x.shape[3], outW = map.cols.count
        dOut.withUnsafeFloats { g in
            dx.withUnsafeMutableFloats { d in
                for p in 0..<planes {
                    for (k, r) in map.rows.enumerated() {
                        let to = p * inPlane + r * x.shape[3], from = (p * map.rows.count + k) * outW
                        for (l, c) in map.cols.enumerated() { d[to + c] += g[from + l] }
                    }
                }
            }
        }
        context.addInputGrad("X", 0, dx)
    }

    /// The input row of every output row and the input column of every output column.
    private static func indexMap(_ context: OpContext, _ x: [Int]) throws -> (rows: [Int], cols: [Int]) {
        var (h, w) = (0, 0)
        if context.hasInput("OutSize") {
            let size = try context.input("OutSize")
            guard size.dtype == .s32, size.count == 2 else {
                throw GraphError("op 'nearest_interp': OutSize is \(size.dtype)\(size.shape), expected s32 [2]")
            }
            let v = size.withUnsafeElements(as: Int32.self) { Array($0) }
            (h, w) = (Int(v[0]), Int(v[1]))
            guard h > 0, w > 0 else { throw GraphError("op 'nearest_interp': OutSize \(v) must be positive") }
        } else {
            (h, w) = try staticOutSize(context.op, inH: x[2], inW: x[3])
        }
        let align = context.op.bool("align_corners", default: true)
        return (sourceIndices(in: x[2], out: h, align: align), sourceIndices(in: x[3], out: w, align: align))
    }

    /// Source index of each of `out` positions along an axis of `in` (f32 ratios, as Paddle).
    static func sourceIndices(in n: Int, out: Int, align: Bool) -> [Int] {
        if n == out { return Array(0..<n) }
        var ratio: Float = 0
        if out > 1 { ratio = align ? Float(n - 1) / Float(out - 1) : Float(n) / Float(out) }
        return (0..<out).map { k in min(Int(align ? ratio * Float(k) + 0.5 : ratio * Float(k)), n - 1) }
    }

    /// The output size from attrs `scale` or `out_h`/`out_w` (`-1` for an unknown input size).
    private static func staticOutSize(_ op: OpDesc, inH: Int, inW: Int) throws -> (Int, Int) {
        let scale = Float(op.float("scale", default: 0))
        if scale > 0 {
            guard Float(max(inH, inW)) * scale < 16_777_216 else { throw GraphError("op 'nearest_interp': scale \(scale) is too large") }
            let size = { (n: Int) in n < 0 ? -1 : Int(Float(n) * scale) }
            let (h, w) = (size(inH), size(inW))
            guard h != 0, w != 0 else { throw GraphError("op 'nearest_interp': scale \(scale) gives an empty output") }
            return (h, w)
        }
        let h = op.int("out_h", default: -1), w = op.int("out_w", default: -1)
        guard h > 0, w > 0 else {
            throw GraphError("op 'nearest_interp': no output size", hints: ["set input OutSize, a positive scale, or out_h and out_w"])
        }
        return (h, w)
    }

    private static func checkAttrs(_ op: OpDesc) throws {
        let method = op.string("interp_method", default: "nearest"), layout = op.string("data_layout", default: "NCHW")
        guard method == "nearest", layout == "NCHW" else {
            throw GraphError("op 'nearest_interp': interp_method '\(method)', data_layout '\(layout)' unsupported",
                             hints: ["nearest_interp runs interp_method 'nearest' on NCHW"])
        }
    }
}
