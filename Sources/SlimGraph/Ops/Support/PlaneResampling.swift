import SlimTensor

/// The loops of the ops that compute every output pixel of each [H, W] plane from input
/// positions given per output row and per output column (`bilinear_interp`'s taps, `pad2d`'s
/// source indices): `X` and `Out` are [N, C, H, W], the N * C planes in order, the rows and
/// columns the same for every plane.
enum PlaneResampling {
    /// `Out` [N, C, rows.count, cols.count] of `x` [N, C, H, W]: each pixel is
    /// `value(src, base, row, col)`, `src` being `x`'s elements and `base` the offset of the
    /// pixel's plane in them.
    static func gather<Row, Col>(_ x: Tensor, rows: [Row], cols: [Col],
                                 _ value: (UnsafeBufferPointer<Float>, Int, Row, Col) -> Float) -> Tensor {
        let planes = x.shape[0] * x.shape[1], inPlane = x.shape[2] * x.shape[3]
        return x.withUnsafeFloats { src in
            Tensor(shape: [x.shape[0], x.shape[1], rows.count, cols.count], fillingFloats: { dst in
                var o = 0
                for p in 0..<planes {
                    for r in rows {
                        for c in cols {
                            dst[o] = value(src, p * inPlane, r, c)
                            o += 1
                        }
                    }
                }
            })
        }
    }

    /// The gradient of a `gather` into an input of `shape`: zeros, to which
    /// `add(d, base, row, col, g)` adds the share of each output pixel's gradient `g` (pixels in
    /// `gather`'s order; `base` is the offset of the pixel's plane in `d`).
    static func scatter<Row, Col>(_ dOut: Tensor, into shape: [Int], rows: [Row], cols: [Col],
                                  _ add: (UnsafeMutableBufferPointer<Float>, Int, Row, Col, Float) -> Void) -> Tensor {
        var dx = Tensor(shape: shape)
        let planes = shape[0] * shape[1], inPlane = shape[2] * shape[3]
        dOut.withUnsafeFloats { g in
            dx.withUnsafeMutableFloats { d in
                var o = 0
                for p in 0..<planes {
                    for r in rows {
                        for c in cols {
                            add(d, p * inPlane, r, c, g[o])
                            o += 1
                        }
                    }
                }
            }
        }
        return dx
    }
}
