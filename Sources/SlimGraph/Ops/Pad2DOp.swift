import SlimTensor

/// `pad2d` (Paddle 1.6): pads `X` [N, C, H, W] by attr `paddings` [top, bottom, left, right]
/// (non-negative) with `mode` "constant" (`pad_value`, 0), "reflect" (mirror without repeating
/// the edge; each padding below the dim) or "edge" (repeat the border). Backward: `dX` sums the
/// `dOut` of every output pixel that reads it. A plain loop (`PlaneResampling`).
public enum Pad2DOp: Operator {
    public static let type = "pad2d"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        let p = try paddings(op, x: x)
        return ["Out": [[x[0], x[1], x[2] < 0 ? -1 : x[2] + p[0] + p[1], x[3] < 0 ? -1 : x[3] + p[2] + p[3]]]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let map = try sourceMap(context.op, x.shape)
        let value = Float(context.op.float("pad_value", default: 0))
        let inW = x.shape[3]
        let out = PlaneResampling.gather(x, rows: map.rows, cols: map.cols) { src, base, r, c in
            r < 0 || c < 0 ? value : src[base + r * inW + c]
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let map = try sourceMap(context.op, x.shape)
        let inW = x.shape[3]
        let dx = PlaneResampling.scatter(dOut, into: x.shape, rows: map.rows, cols: map.cols) { d, base, r, c, g in
            if r >= 0 && c >= 0 { d[base + r * inW + c] += g }
        }
        context.addInputGrad("X", 0, dx)
    }

    static func paddings(_ op: OpDesc, x: [Int]) throws -> [Int] {
        let p = op.ints("paddings", default: [0, 0, 0, 0])
        guard p.count == 4, p.allSatisfy({ $0 >= 0 }) else { throw op.attrError("paddings", p, "4 non-negative values [top, bottom, left, right]") }
        let mode = op.string("mode", default: "constant")
        guard ["constant", "reflect", "edge"].contains(mode) else { throw GraphError("op 'pad2d': mode '\(mode)' is not constant, reflect or edge") }
        if mode == "reflect" {
            for (d, dim) in [(0, x[2]), (2, x[3])] where dim > 0 && (p[d] >= dim || p[d + 1] >= dim) {
                throw GraphError("op 'pad2d': reflect paddings \(p) must be below the input size \(x)")
            }
        }
        return p
    }

    /// The input row of each output row and input column of each output column (-1: padding value).
    static func sourceMap(_ op: OpDesc, _ x: [Int]) throws -> (rows: [Int], cols: [Int]) {
        let p = try paddings(op, x: x), mode = op.string("mode", default: "constant")
        func axis(_ n: Int, _ before: Int, _ after: Int) -> [Int] {
            (-before..<(n + after)).map { i in
                if i >= 0 && i < n { return i }
                switch mode {
                case "reflect": return i < 0 ? -i : 2 * (n - 1) - i
                case "edge": return i < 0 ? 0 : n - 1
                default: return -1
                }
            }
        }
        return (axis(x[2], p[0], p[1]), axis(x[3], p[2], p[3]))
    }
}
