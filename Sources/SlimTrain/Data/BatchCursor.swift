/// The sequential walk of a `DataLoader` over its endless stream of passes.
///
/// Pass `p` visits the data set in `BatchBuilder.order(pass: p)`; each batch takes the next
/// `batchSize` positions (a data-parallel rank builds only its `shard` of them). A pass ends after `floor(n / b)` batches with `dropLast`, else after
/// `ceil(n / b)` (the last one partial).
struct BatchCursor {
    let builder: BatchBuilder
    let batchSize: Int
    let shuffle: Bool
    let dropLast: Bool
    /// The part of each batch this process builds (`batchSize` is the global batch).
    var shard = DataShard.whole
    private(set) var state: LoaderState
    private var cachedOrder: (pass: Int, order: [Int])?

    init(builder: BatchBuilder, batchSize: Int, shuffle: Bool, dropLast: Bool, state: LoaderState) {
        self.builder = builder
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.state = state
    }

    /// Samples used per pass: `b * floor(n / b)` with `dropLast`, else `n`.
    var samplesPerPass: Int {
        let n = builder.dataset.count
        return dropLast ? (n / batchSize) * batchSize : n
    }

    /// Batches per pass.
    var batchesPerPass: Int { (samplesPerPass + batchSize - 1) / batchSize }

    /// Builds the batch at `state` and advances; the state does not move if building throws.
    mutating func next() throws -> Batch {
        if cachedOrder?.pass != state.pass {
            cachedOrder = (state.pass, builder.order(pass: state.pass, shuffle: shuffle))
        }
        let order = cachedOrder!.order
        let end = min(state.offset + batchSize, samplesPerPass)
        let positions = shard.positions(of: state.offset..<end, perRank: batchSize / shard.count)
        let batch = try builder.batch(order[positions], pass: UInt64(state.pass))
        state = end >= samplesPerPass ? LoaderState(pass: state.pass + 1, offset: 0) : LoaderState(pass: state.pass, offset: end)
        return batch
    }
}
