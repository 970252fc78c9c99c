import SlimTensor

/// One step of the per-sample preprocessing pipeline: it takes and returns the whole sample,
/// the image and its boxes (`AnnotatedImage`), so geometric steps move the boxes with the pixels.
///
/// Transforms must draw all randomness from `rng`; the `DataLoader` hands each sample a
/// generator derived only from `(seed, pass, index)`, which makes augmentation reproducible
/// whatever the threading.
public protocol Transform {
    func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator)

    /// The `[C, H, W]` this transform produces from `input`; throws `DataError` when it cannot
    /// handle such an input (checked once by the loader before any sample is read).
    func outputShape(_ input: [Int]) throws -> [Int]
}

extension Transform {
    public func outputShape(_ input: [Int]) throws -> [Int] { input }

    /// Applies the transform to an image without boxes.
    public func apply(_ image: inout Image, rng: inout SeededGenerator) {
        var sample = AnnotatedImage(image: image.taken())
        apply(&sample, rng: &rng)
        image = sample.image
    }
}

extension Array where Element == any Transform {
    /// Applies every transform in order.
    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        for transform in self { transform.apply(&sample, rng: &rng) }
    }

    /// Applies every transform in order to an image without boxes.
    public func apply(_ image: inout Image, rng: inout SeededGenerator) {
        var sample = AnnotatedImage(image: image.taken())
        apply(&sample, rng: &rng)
        image = sample.image
    }

    /// The shape after every transform, validating each against its input.
    public func outputShape(_ input: [Int]) throws -> [Int] {
        try reduce(input) { shape, transform in try transform.outputShape(shape) }
    }
}

extension Image {
    /// Moves the image out, leaving an empty one, so the moved pixels stay uniquely referenced
    /// (an in-place transform then does not copy them).
    mutating func taken() -> Image {
        let moved = self
        self = Image(data: [], channels: 0, height: 0, width: 0)
        return moved
    }
}
