import SlimTensor

/// PaddleDetection's `RandomFlipImage` (`prob`, `is_normalized`): with probability `prob`
/// (`u < prob`) mirrors the image left-right and its boxes: `x1' = 1 - x2`, `x2' = 1 - x1` for
/// normalized boxes, else `x1' = W - x2 - 1`, `x2' = W - x1 - 1` (pixel boxes). No box is dropped.
public struct RandomFlipImage: Transform, Sendable {
    public let prob: Double
    public let isNormalized: Bool

    /// - Throws: `DataError.invalidConfiguration` when `prob` is outside `[0, 1]`.
    public init(prob: Double = 0.5, isNormalized: Bool = false) throws {
        guard (0...1).contains(prob) else { throw DataError.invalidConfiguration("RandomFlipImage: prob must be in [0, 1], got \(prob)") }
        self.prob = prob
        self.isNormalized = isNormalized
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard rng.uniform(0, 1) < prob else { return }
        let w = sample.image.width, rows = sample.image.channels * sample.image.height
        sample.image.data.withUnsafeMutableBufferPointer { p in
            for row in 0..<rows {
                var a = row * w, b = row * w + w - 1
                while a < b { p.swapAt(a, b); a += 1; b -= 1 }
            }
        }
        guard var a = sample.annotations else { return }
        let right = isNormalized ? 1 : Double(w) - 1
        for i in a.boxes.indices { (a.boxes[i].xmin, a.boxes[i].xmax) = (right - a.boxes[i].xmax, right - a.boxes[i].xmin) }
        sample.annotations = a
    }
}
