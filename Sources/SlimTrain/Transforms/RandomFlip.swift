import SlimTensor

/// Mirrors the image left-right with probability `prob` (`x' = W - 1 - x`).
public struct RandomFlip: Transform, Sendable {
    public let prob: Float

    /// - Throws: `DataError.invalidConfiguration` when `prob` is outside `[0, 1]`.
    public init(prob: Float = 0.5) throws {
        guard prob >= 0 && prob <= 1 else {
            throw DataError.invalidConfiguration("RandomFlip: prob must be in [0, 1], got \(prob)")
        }
        self.prob = prob
    }

    public func apply(_ image: inout Image, rng: inout SeededGenerator) {
        guard rng.nextUnitFloat() < prob else { return }
        let w = image.width
        image.data.withUnsafeMutableBufferPointer { p in
            for row in 0..<(image.channels * image.height) {
                var a = row * w, b = row * w + w - 1
                while a < b { p.swapAt(a, b); a += 1; b -= 1 }
            }
        }
    }
}
