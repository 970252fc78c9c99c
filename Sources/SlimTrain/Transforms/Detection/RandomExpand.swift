import SlimTensor

/// PaddleDetection's `RandomExpand` (`ratio`, `prob`, `fill_value`): places the image on a
/// larger canvas filled with `fill_value` (per channel, truncated to 8-bit integers as the
/// reference's `uint8` canvas).
///
/// Skipped when `u < prob` (`u` uniform in `[0, 1)`, the reference's test). Else `r` uniform in
/// `[1, ratio)`, canvas `h = int(H r)`, `w = int(W r)` (skipped unless both grow), offset `y`
/// uniform in `0..<h-H`, `x` in `0..<w-W`; the pasted image is cast to 8-bit integers (NumPy's
/// `astype(np.uint8)`: truncation, wrapped modulo 256) and boxes move by `(x, y)`.
public struct RandomExpand: Transform, Sendable {
    public let ratio: Double
    public let prob: Double
    public let fillValue: [Float]

    /// - Throws: `DataError.invalidConfiguration` for `ratio <= 1.01` or an empty fill value.
    public init(ratio: Double = 4, prob: Double = 0.5, fillValue: [Double] = [127.5, 127.5, 127.5]) throws {
        guard ratio > 1.01 else { throw DataError.invalidConfiguration("RandomExpand: ratio must be larger than 1.01, got \(ratio)") }
        guard !fillValue.isEmpty else { throw DataError.invalidConfiguration("RandomExpand: fill_value must not be empty") }
        self.ratio = ratio
        self.prob = prob
        self.fillValue = fillValue.map { MixupImage.uint8(Float($0)) }
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard fillValue.count == 1 || fillValue.count == input.first else {
            throw DataError.invalidConfiguration("RandomExpand: \(fillValue.count) fill values for images of shape \(input)")
        }
        return input
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        if rng.uniform(0, 1) < prob { return }
        let image = sample.image
        let r = rng.uniform(1, ratio)
        let h = Int(Double(image.height) * r), w = Int(Double(image.width) * r)
        guard h > image.height, w > image.width else { return }
        let y = rng.randint(0, h - image.height), x = rng.randint(0, w - image.width)
        var canvas = Image(channels: image.channels, height: h, width: w)
        canvas.data.withUnsafeMutableBufferPointer { o in
            image.data.withUnsafeBufferPointer { s in
                for c in 0..<image.channels {
                    let fill = fillValue.count == 1 ? fillValue[0] : fillValue[c]
                    for i in (c * h * w)..<((c + 1) * h * w) { o[i] = fill }
                    for row in 0..<image.height {
                        let from = (c * image.height + row) * image.width, to = (c * h + row + y) * w + x
                        for k in 0..<image.width { o[to + k] = MixupImage.uint8(s[from + k]) }
                    }
                }
            }
        }
        sample.image = canvas
        guard var a = sample.annotations else { return }
        let dx = Double(x), dy = Double(y)
        for i in a.boxes.indices {
            a.boxes[i] = BoundingBox(xmin: a.boxes[i].xmin + dx, ymin: a.boxes[i].ymin + dy,
                                     xmax: a.boxes[i].xmax + dx, ymax: a.boxes[i].ymax + dy)
        }
        sample.annotations = a
    }
}
