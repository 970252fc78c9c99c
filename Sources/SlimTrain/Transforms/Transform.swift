import SlimTensor

/// One step of the per-sample preprocessing pipeline.
///
/// Transforms must draw all randomness from `rng`; the `DataLoader` hands each sample a
/// generator derived only from `(seed, pass, index)`, which makes augmentation reproducible
/// whatever the threading.
public protocol Transform {
    func apply(_ image: inout Image, rng: inout SeededGenerator)

    /// The `[C, H, W]` this transform produces from `input`; throws `DataError` when it cannot
    /// handle such an input (checked once by the loader before any sample is read).
    func outputShape(_ input: [Int]) throws -> [Int]
}

extension Transform {
    public func outputShape(_ input: [Int]) throws -> [Int] { input }
}

extension Array where Element == any Transform {
    /// Applies every transform in order.
    public func apply(_ image: inout Image, rng: inout SeededGenerator) {
        for transform in self { transform.apply(&image, rng: &rng) }
    }

    /// The shape after every transform, validating each against its input.
    public func outputShape(_ input: [Int]) throws -> [Int] {
        try reduce(input) { shape, transform in try transform.outputShape(shape) }
    }
}
