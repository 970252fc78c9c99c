/// Nearest-neighbour resampling of planar (CHW) float images as OpenCV's `INTER_NEAREST`:
/// output pixel `(y, x)` copies source `(floor(y * H / H'), floor(x * W / W'))`, clamped to the
/// last row and column.
public enum Nearest {
    public static func resize(_ src: [Float], channels: Int, height: Int, width: Int, to size: ImageSize) -> [Float] {
        precondition(src.count == channels * height * width, "source size mismatch")
        precondition(size.height > 0 && size.width > 0 && height > 0 && width > 0, "empty image")
        let rows = taps(out: size.height, in: height), cols = taps(out: size.width, in: width)
        var out = [Float](repeating: 0, count: channels * size.height * size.width)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                var k = 0
                for c in 0..<channels {
                    for sy in rows {
                        let row = (c * height + sy) * width
                        for sx in cols {
                            o[k] = s[row + sx]
                            k += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// The source index of each output coordinate.
    static func taps(out: Int, in n: Int) -> [Int] {
        let scale = Double(n) / Double(out)
        return (0..<out).map { min(Int((Double($0) * scale).rounded(.down)), n - 1) }
    }
}
