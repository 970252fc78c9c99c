/// Bilinear resampling of planar (CHW) float images with half-pixel centres
/// (`align_corners = false`, as OpenCV `INTER_LINEAR` and PyTorch `interpolate(bilinear)`).
///
/// Output pixel `(y, x)` samples the source at `sy = (y + 0.5) * H / H' - 0.5` (clamped to
/// `[0, H-1]`), likewise `sx`, and blends the four neighbours:
/// `v = (1-fy)((1-fx) a + fx b) + fy((1-fx) c + fx d)`.
public enum Bilinear {
    public static func resize(_ src: [Float], channels: Int, height: Int, width: Int, to size: ImageSize) -> [Float] {
        precondition(src.count == channels * height * width, "source size mismatch")
        precondition(size.height > 0 && size.width > 0 && height > 0 && width > 0, "empty image")
        let ys = taps(out: size.height, in: height)
        let xs = taps(out: size.width, in: width)
        var out = [Float](repeating: 0, count: channels * size.height * size.width)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for c in 0..<channels {
                    let plane = c * height * width
                    for (y, ty) in ys.enumerated() {
                        let row0 = plane + ty.i0 * width, row1 = plane + ty.i1 * width
                        let base = (c * size.height + y) * size.width
                        for (x, tx) in xs.enumerated() {
                            let top = s[row0 + tx.i0] * (1 - tx.f) + s[row0 + tx.i1] * tx.f
                            let bottom = s[row1 + tx.i0] * (1 - tx.f) + s[row1 + tx.i1] * tx.f
                            o[base + x] = top * (1 - ty.f) + bottom * ty.f
                        }
                    }
                }
            }
        }
        return out
    }

    /// Source indices and weight of the second neighbour for each output coordinate.
    static func taps(out: Int, in n: Int) -> [(i0: Int, i1: Int, f: Float)] {
        let scale = Double(n) / Double(out)
        return (0..<out).map { o in
            let s = min(max((Double(o) + 0.5) * scale - 0.5, 0), Double(n - 1))
            let i0 = Int(s.rounded(.down))
            let i1 = min(i0 + 1, n - 1)
            return (i0, i1, Float(s - Double(i0)))
        }
    }
}
