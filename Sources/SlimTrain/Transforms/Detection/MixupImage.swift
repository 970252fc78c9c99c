import SlimTensor

/// PaddleDetection's `MixupImage` (`alpha`, `beta`): blends the sample with the mixup sample the
/// loader attached (only while the pass is below the feed's `mixup_epoch`; without one it does
/// nothing).
///
/// `f ~ Beta(alpha, beta)` clipped to `[0, 1]`; `f = 1` keeps the sample, `f = 0` replaces it by
/// the mixup sample. Otherwise the image is `max(H1, H2) x max(W1, W2)`, zero, plus `f * img1`
/// on its top-left and `(1 - f) * img2` on its top-left, truncated to 8-bit integers (NumPy's
/// `astype('uint8')`); the objects are both lists concatenated, with `gt_score` multiplied by
/// `f` for the first sample's and by `1 - f` for the mixup sample's.
public struct MixupImage: Transform, Sendable {
    public let alpha: Double
    public let beta: Double

    /// - Throws: `DataError.invalidConfiguration` unless both parameters are positive.
    public init(alpha: Double = 1.5, beta: Double = 1.5) throws {
        guard alpha > 0, beta > 0 else {
            throw DataError.invalidConfiguration("MixupImage: alpha (\(alpha)) and beta (\(beta)) must be positive")
        }
        self.alpha = alpha
        self.beta = beta
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard let other = sample.mixup.first else { return }
        sample.mixup = []
        let factor = min(max(rng.beta(alpha, beta), 0), 1)
        if factor >= 1 { return }
        if factor <= 0 {
            sample = other
            return
        }
        sample.image = Self.blend(sample.image, other.image, factor: Float(factor))
        let a = sample.annotations ?? BoxAnnotations(boxes: [], labels: [])
        let b = other.annotations ?? BoxAnnotations(boxes: [], labels: [])
        sample.annotations = BoxAnnotations(boxes: a.boxes + b.boxes, labels: a.labels + b.labels, difficult: a.difficult + b.difficult,
                                            scores: a.scores.map { $0 * Float(factor) } + b.scores.map { $0 * Float(1 - factor) })
    }

    /// `floor(f * a + (1 - f) * b)` over the union canvas (each image on the top-left corner).
    static func blend(_ a: Image, _ b: Image, factor: Float) -> Image {
        precondition(a.channels == b.channels, "mixup of images with different channel counts")
        let h = max(a.height, b.height), w = max(a.width, b.width)
        var out = Image(channels: a.channels, height: h, width: w)
        out.data.withUnsafeMutableBufferPointer { o in
            for (image, weight) in [(a, factor), (b, 1 - factor)] {
                image.data.withUnsafeBufferPointer { s in
                    for c in 0..<image.channels {
                        for y in 0..<image.height {
                            let from = (c * image.height + y) * image.width, to = (c * h + y) * w
                            for x in 0..<image.width { o[to + x] += s[from + x] * weight }
                        }
                    }
                }
            }
            for i in o.indices { o[i] = Self.uint8(o[i]) }
        }
        return out
    }

    /// NumPy's `astype(np.uint8)` of a float on x86: truncation toward zero, wrapped modulo 256.
    static func uint8(_ x: Float) -> Float {
        guard x.isFinite else { return 0 }
        let t = Int64(max(min(x, 1e15), -1e15).rounded(.towardZero))
        return Float(UInt8(truncatingIfNeeded: t))
    }
}
