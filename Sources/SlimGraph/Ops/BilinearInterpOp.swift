import SlimTensor

/// `bilinear_interp` (Paddle 1.6, `fluid.layers.resize_bilinear`): bilinear resize of `X`
/// [N, C, H, W] to `Out` [N, C, out_h, out_w], the size from attr `scale` when positive
/// (`Int(in * scale)`), else `out_h`, `out_w`.
///
/// Per axis, with `ratio = (in - 1) / (out - 1)` when `align_corners` (default true; 0 when
/// `out == 1`), else `in / out`: the source coordinate of output `k` is `ratio * k`, or
/// `max(ratio * (k + 0.5) - 0.5, 0)` when `align_mode` is 0 and not `align_corners` (half
/// pixel); it reads `i0 = floor(src)` and `i1 = min(i0 + 1, in - 1)` weighted `1 - l` and `l`,
/// `l = src - i0`. Backward scatters `dOut` with the same weights. A plain loop (`PlaneResampling`).
public enum BilinearInterpOp: Operator {
    public static let type = "bilinear_interp"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        guard inputs["OutSize"]?.isEmpty ?? true else { throw GraphError("op 'bilinear_interp': input OutSize is not supported") }
        let (h, w) = try outSize(op, inH: x[2], inW: x[3])
        return ["Out": [[x[0], x[1], h, w]]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        try ShapeInference.requireRank(x.shape, [4], "X", of: context.op)
        guard x.shape[2] > 0, x.shape[3] > 0 else { throw GraphError("op 'bilinear_interp': X \(x.shape) is empty") }
        let (rows, cols) = try taps(context.op, x.shape)
        let inW = x.shape[3]
        let out = PlaneResampling.gather(x, rows: rows, cols: cols) { src, base, r, c in
            let top = base + r.i0 * inW, bottom = base + r.i1 * inW
            let t = src[top + c.i0] * (1 - c.l) + src[top + c.i1] * c.l
            let b = src[bottom + c.i0] * (1 - c.l) + src[bottom + c.i1] * c.l
            return t * (1 - r.l) + b * r.l
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let (rows, cols) = try taps(context.op, x.shape)
        let inW = x.shape[3]
        let dx = PlaneResampling.scatter(dOut, into: x.shape, rows: rows, cols: cols) { d, base, r, c, v in
            let top = base + r.i0 * inW, bottom = base + r.i1 * inW
            d[top + c.i0] += v * (1 - r.l) * (1 - c.l)
            d[top + c.i1] += v * (1 - r.l) * c.l
            d[bottom + c.i0] += v * r.l * (1 - c.l)
            d[bottom + c.i1] += v * r.l * c.l
        }
        context.addInputGrad("X", 0, dx)
    }

    /// One interpolation tap: the two source indices and the weight of the second.
    struct Tap { var i0: Int, i1: Int, l: Float }

    static func taps(_ op: OpDesc, _ x: [Int]) throws -> (rows: [Tap], cols: [Tap]) {
        let (h, w) = try outSize(op, inH: x[2], inW: x[3])
        let align = op.bool("align_corners", default: true), halfPixel = !align && op.int("align_mode", default: 1) == 0
        return (axisTaps(in: x[2], out: h, align: align, halfPixel: halfPixel), axisTaps(in: x[3], out: w, align: align, halfPixel: halfPixel))
    }

    static func axisTaps(in n: Int, out: Int, align: Bool, halfPixel: Bool) -> [Tap] {
        var ratio: Float = 0
        if out > 1 || !align { ratio = align ? Float(n - 1) / Float(out - 1) : Float(n) / Float(out) }
        return (0..<out).map { k in
            let src = halfPixel ? max(ratio * (Float(k) + 0.5) - 0.5, 0) : ratio * Float(k)
            let i0 = min(Int(src), n - 1)
            return Tap(i0: i0, i1: min(i0 + 1, n - 1), l: src - Float(i0))
        }
    }

    private static func outSize(_ op: OpDesc, inH: Int, inW: Int) throws -> (Int, Int) {
        let scale = Float(op.float("scale", default: 0))
        if scale > 0 {
            guard Float(max(inH, inW)) * scale < 16_777_216 else { throw GraphError("op 'bilinear_interp': scale \(scale) is too large") }
            let size = { (n: Int) in n < 0 ? -1 : Int(Float(n) * scale) }
            guard size(inH) != 0, size(inW) != 0 else { throw GraphError("op 'bilinear_interp': scale \(scale) gives an empty output") }
            return (size(inH), size(inW))
        }
        let h = op.int("out_h", default: -1), w = op.int("out_w", default: -1)
        guard h > 0, w > 0 else { throw GraphError("op 'bilinear_interp': no output size", hints: ["set a positive scale, or out_h and out_w"]) }
        return (h, w)
    }
}
