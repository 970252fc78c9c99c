/// A finite, ordered pass over a data set in batches; the last batch may be partial.
public struct EvalBatches {
    let builder: BatchBuilder
    public let batchSize: Int
    private var offset = 0

    init(builder: BatchBuilder, batchSize: Int) {
        self.builder = builder
        self.batchSize = batchSize
    }

    /// Number of batches in the pass: `ceil(n / batchSize)`.
    public var count: Int { (builder.dataset.count + batchSize - 1) / batchSize }

    /// Whether every batch has been returned or skipped.
    public var isFinished: Bool { offset >= builder.dataset.count }

    /// Passes over the next batch without building it.
    public mutating func skip() {
        offset = min(offset + batchSize, builder.dataset.count)
    }

    /// The next batch, or nil after the last one.
    public mutating func next() throws -> Batch? {
        let n = builder.dataset.count
        guard offset < n else { return nil }
        let end = min(offset + batchSize, n)
        let batch = try builder.batch(ArraySlice(offset..<end), pass: BatchBuilder.evalPass)
        offset = end
        return batch
    }
}
