import SlimGraph
import SlimTensor

/// `int8_pool2d` (slim's INT8 engine): max pooling of integer activations `X` (u8 or s8) with the
/// attrs of `pool2d` (`pooling_type` must be "max"). Max pooling commutes with quantization
/// (`round(max(x) * k) == max(round(x * k))`), so `Int8LoweringPass` moves a requantization in
/// front of it and pools the integers: exact, and 4x less data than f32. Inference only.
///
/// `Out[n, c, oy, ox] = max X[n, c, y, x]` over the window rows `oy*sh - pt ..< +kh`, columns
/// `ox*sw - pl ..< +kw` inside the image (padding never wins). A plain loop: oneDNN 2.6 pools
/// integers in NCHW only with its reference implementation (~40x slower here).
public enum Int8Pool2DOp: Operator {
    public static let type = "int8_pool2d"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard op.string("pooling_type", default: "max") == "max" else {
            throw GraphError("op '\(type)' pools integers by max only, got pooling_type '\(op.string("pooling_type", default: ""))'")
        }
        return try Pool2DOp.inferShapes(op, inputs: inputs)
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        _ = try inferShapes(context.op, inputs: ["X": [x.shape]])
        let g = try context.op.int8PoolGeometry(input: x.shape)
        switch x.dtype {
        case .u8: context.setOutput("Out", 0, maxPool(x, g, UInt8.self))
        case .s8: context.setOutput("Out", 0, maxPool(x, g, Int8.self))
        default: throw GraphError("op '\(type)': X must be u8 or s8, got \(x.dtype)")
        }
    }

    /// The window maxima of each [H, W] plane of x.
    static func maxPool<T: FixedWidthInteger>(_ x: Tensor, _ g: PoolGeometry, _: T.Type) -> Tensor {
        let shape = g.outputShape(input: x.shape)
        let (h, w, oh, ow) = (x.shape[2], x.shape[3], shape[2], shape[3])
        let planes = shape[0] * shape[1]
        var y = Tensor(shape: shape, dtype: x.dtype)
        x.withUnsafeElements(as: T.self) { source in
            y.withUnsafeMutableElements(as: T.self) { target in
                guard let src = source.baseAddress, let dst = target.baseAddress else { return }
                if g.kernel == [2, 2] && g.strides == [2, 2] && g.paddings == [0, 0, 0, 0] {
                    pool2x2(src, dst, planes: planes, h: h, w: w, oh: oh, ow: ow)
                    return
                }
                for plane in 0..<planes {
                    let input = src + plane * h * w, output = dst + plane * oh * ow
                    for oy in 0..<oh {
                        let top = oy * g.strides[0] - g.paddings[0]
                        let (y0, y1) = (max(top, 0), min(top + g.kernel[0], h))
                        for ox in 0..<ow {
                            let left = ox * g.strides[1] - g.paddings[1]
                            let (x0, x1) = (max(left, 0), min(left + g.kernel[1], w))
                            var m = T.min
                            for yy in y0..<y1 { for xx in x0..<x1 { m = max(m, input[yy * w + xx]) } }
                            output[oy * ow + ox] = m
                        }
                    }
                }
            }
        }
        return y
    }

    /// The common 2x2 window, stride 2, no padding: each output is the max of two row pairs.
    private static func pool2x2<T: FixedWidthInteger>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>,
                                                      planes: Int, h: Int, w: Int, oh: Int, ow: Int) {
        for plane in 0..<planes {
            for oy in 0..<oh {
                let a = src + plane * h * w + 2 * oy * w, b = a + w
                let out = dst + (plane * oh + oy) * ow
                for ox in 0..<ow {
                    out[ox] = max(max(a[2 * ox], a[2 * ox + 1]), max(b[2 * ox], b[2 * ox + 1]))
                }
            }
        }
    }
}
