import SlimQuant
import SlimTensor
import SlimTrain

/// The calibration batches of a model YAML: the first `batchNums` batches of the train split
/// (TrainReader's data set and batch size, shuffled with the YAML's `seed`) through the
/// EvalReader's transforms, so calibration sees training images without augmentation and never
/// the test split it is evaluated on. Every pass yields the same batches.
public struct CalibrationReader: CalibrationBatches {
    public let train: ReaderSpec
    public let eval: ReaderSpec
    public let batchNums: Int
    public let seed: UInt64
    /// The model's inference feeds: the first takes the images whatever its name, the others
    /// (e.g. a detector's `im_size`) the batch's tensors of the same name (`Batch.inferenceFeeds`).
    public let feeds: [String]

    /// A reader for a model with one input, `image`.
    public init(train: ReaderSpec, eval: ReaderSpec, batchNums: Int, seed: UInt64, image: String = "image") throws {
        try self.init(train: train, eval: eval, batchNums: batchNums, seed: seed, feeds: [image])
    }

    /// - Throws: `DataError` when `batchNums <= 0`, `feeds` is empty, or the eval transforms do
    ///   not produce the eval image shape from the train images.
    public init(train: ReaderSpec, eval: ReaderSpec, batchNums: Int, seed: UInt64, feeds: [String]) throws {
        guard !feeds.isEmpty else { throw DataError.invalidConfiguration("calibration needs a model with at least one feed") }
        guard batchNums > 0 else { throw DataError.invalidConfiguration("batch_nums must be > 0, got \(batchNums)") }
        let produced = try eval.transforms.outputShape(train.dataset.imageShape)
        guard produced == eval.imageShape else {
            throw DataError.invalidConfiguration(
                "calibration runs \(eval.section)'s transforms on \(train.section)'s images: they give \(produced), the model expects \(eval.imageShape)")
        }
        self.train = train
        self.eval = eval
        self.batchNums = batchNums
        self.seed = seed
        self.feeds = feeds
    }

    /// Batches available: `batchNums`, or fewer when the train split is smaller.
    public var count: Int { min(batchNums, (train.dataset.count + train.batchSize - 1) / train.batchSize) }

    public func forEachBatch(_ body: ([String: Tensor]) throws -> Void) throws {
        let loader = try DataLoader(dataset: train.dataset, batchSize: train.batchSize, shuffle: true, dropLast: false,
                                    transforms: eval.transforms, seed: seed, prefetch: 0)
        for _ in 0..<count { try body(try loader.next().inferenceFeeds(feeds)) }
    }
}
