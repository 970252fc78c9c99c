import SlimTensor

/// Where a benchmark's batches come from.
enum BenchBatches {
    /// A function returning the next batch: the same seeded synthetic batch every call, or
    /// Fashion-MNIST through a prefetching `DataLoader` for `--data real`.
    static func source(for model: BenchModel, _ configuration: BenchConfiguration) throws -> () throws -> Batch {
        switch configuration.data {
        case .synthetic:
            let batch = synthetic(batch: configuration.batch, shape: model.inputShape, classes: 10, seed: configuration.seed)
            return { batch }
        case .real:
            let loader = try fashionMNIST(configuration)
            return { try loader.next() }
        }
    }

    /// Images uniform in [0, 1) and labels uniform in `0..<classes`, from `seed`.
    static func synthetic(batch: Int, shape: [Int], classes: Int, seed: UInt64) -> Batch {
        var rng = SeededGenerator(seed: seed)
        let pixels = (0..<batch * shape.reduce(1, *)).map { _ in rng.nextUnitFloat() }
        let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(max(classes, 1))) }
        return Batch(images: Tensor(shape: [batch] + shape, floats: pixels),
                     labels: Tensor(shape: [batch, 1], dtype: .s32, integers: labels), indices: Array(0..<batch))
    }

    /// The LeNet example's readers: training split shuffled with random crops, or the test split
    /// in order, both normalised; 2 batches prefetched on a background thread.
    static func fashionMNIST(_ configuration: BenchConfiguration) throws -> DataLoader {
        let training = configuration.mode != .infer
        let dataset = try IDXDataset.fashionMNIST(dir: configuration.dataDirectory, split: training ? .train : .test)
        let normalize = try Normalize(mean: [0.2860], std: [0.3530])
        let transforms: [any Transform] = training
            ? [ToTensor(), try RandomCrop(size: ImageSize(28), padding: 2), normalize]
            : [ToTensor(), normalize]
        return try DataLoader(dataset: dataset, batchSize: configuration.batch, shuffle: training, dropLast: true,
                              transforms: transforms, seed: configuration.seed, prefetch: 2)
    }
}
