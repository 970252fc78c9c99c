import SlimTensor

/// Mirrors the image left-right with probability `prob` (`x' = W - 1 - x`), and its boxes as
/// PaddleDetection's `RandomFlipImage` does for pixel boxes: `xmin' = W - 1 - xmax`,
/// `xmax' = W - 1 - xmin` (the VOC convention of inclusive pixel corners).
public struct RandomFlip: Transform, Sendable {
    public let prob: Float

    /// - Throws: `DataError.invalidConfiguration` when `prob` is outside `[0, 1]`.
    public init(prob: Float = 0.5) throws {
        guard prob >= 0 && prob <= 1 else {
            throw DataError.invalidConfiguration("RandomFlip: prob must be in [0, 1], got \(prob)")
        }
        self.prob = prob
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard rng.nextUnitFloat() < prob else { return }
        let w = sample.image.width, rows = sample.image.channels * sample.image.height
        sample.image.data.withUnsafeMutableBufferPointer { p in
            for row in 0..<rows {
                var a = row * w, b = row * w + w - 1
                while a < b { p.swapAt(a, b); a += 1; b -= 1 }
            }
        }
        let last = Double(w - 1)
        sample.moveBoxes { box in (box.xmin, box.xmax) = (last - box.xmax, last - box.xmin) }
    }
}
