import SlimTensor

/// One step applied to a whole batch of transformed samples before they are stacked
/// (PaddleDetection's `batch_transforms`). Its randomness comes from `rng`, which the loader
/// derives only from `(seed, pass, first sample of the batch)`, so batches stay reproducible
/// and resumable.
public protocol BatchTransform {
    func apply(_ samples: inout [AnnotatedImage], rng: inout SeededGenerator)
}

/// PaddleDetection's `RandomShape` (`sizes`): one size drawn per batch, every image resized to
/// `size x size` with nearest-neighbour sampling (the reference's `INTER_NEAREST`). Boxes are
/// left as they are: they must be normalized (`NormalizeBox`) before it, as PaddleDetection's
/// YOLO pipeline has them.
public struct RandomShape: BatchTransform, Sendable {
    public let sizes: [Int]

    /// - Throws: `DataError.invalidConfiguration` for no or a non-positive size.
    public init(sizes: [Int]) throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidConfiguration("RandomShape: sizes must be a non-empty list of positive sizes, got \(sizes)")
        }
        self.sizes = sizes
    }

    public func apply(_ samples: inout [AnnotatedImage], rng: inout SeededGenerator) {
        let side = sizes[rng.randint(0, sizes.count)]
        for i in samples.indices {
            samples[i].image = Interpolation.resize(samples[i].image.taken(), to: ImageSize(side), code: 0)
        }
    }
}
