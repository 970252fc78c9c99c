import Foundation
import SlimTensor

/// An endless stream of mini-batches over a data set, PaddleDetection style: pass after pass,
/// pass `p` in an order drawn only from `(seed, p)`, each sample augmented with a generator drawn
/// only from `(seed, p, index)`. Batches are therefore bit-identical whatever the prefetch depth
/// or thread timing, and `LoaderState` (saved with a checkpoint) resumes the stream exactly.
///
/// With `prefetch > 0` a background thread builds up to `prefetch` batches ahead; its errors
/// are thrown by `next()`. `stop()` (also run by `deinit`) ends the thread; later calls continue
/// synchronously from the same state.
public final class DataLoader {
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let prefetch: Int
    public let seed: UInt64
    /// The part of every global batch of `batchSize * shard.count` samples this process reads.
    public let shard: DataShard
    /// The position of the next batch `next()` returns.
    public private(set) var state: LoaderState
    private var cursor: BatchCursor
    private var prefetcher: Prefetcher?

    /// - Parameters:
    ///   - dataset: the samples; read from the prefetch thread when `prefetch > 0`.
    ///   - batchSize: samples per batch (`> 0`).
    ///   - shuffle: a fresh order every pass (else data set order).
    ///   - dropLast: drop a final partial batch of each pass.
    ///   - transforms: per-sample preprocessing, in order.
    ///   - seed: the root of all shuffling and augmentation randomness.
    ///   - prefetch: batches built ahead on a background thread (0 = build on demand).
    ///   - state: where to start (a saved `state` to resume).
    ///   - numMaxBoxes: objects per sample in the padded ground truth of a data set with boxes
    ///     (PaddleDetection's `num_max_boxes`).
    ///   - batchTransforms: applied to each batch before stacking (`RandomShape`), with a
    ///     generator drawn only from `(seed, pass, first sample of the batch)`.
    ///   - mixupEpoch: passes below it give each sample a mixup partner when a `MixupImage` is
    ///     in `transforms` (PaddleDetection's `mixup_epoch`; <= 0: never).
    ///   - shard: a data-parallel rank's part of each global batch (`DataShard`); `state`
    ///     offsets then count global samples.
    /// - Throws: `DataError.invalidConfiguration` when the data set is empty, smaller than one
    ///   batch with `dropLast`, the state is not a batch boundary, or a transform rejects the shape.
    public init(dataset: any Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = true,
                transforms: [any Transform] = [], seed: UInt64 = 0, prefetch: Int = 0,
                state: LoaderState = LoaderState(), numMaxBoxes: Int = 50,
                batchTransforms: [any BatchTransform] = [], mixupEpoch: Int = -1, shard: DataShard = .whole) throws {
        guard batchSize > 0, prefetch >= 0 else {
            throw DataError.invalidConfiguration("batch size (\(batchSize)) must be > 0 and prefetch (\(prefetch)) >= 0")
        }
        guard dataset.count > 0 else { throw DataError.invalidConfiguration("the data set is empty") }
        guard !dropLast || dataset.count >= batchSize else {
            throw DataError.invalidConfiguration(
                "the data set has \(dataset.count) samples, fewer than one batch of \(batchSize), and drop_last is set: no batch can be formed")
        }
        var builder = try BatchBuilder(dataset: dataset, transforms: transforms, seed: seed, numMaxBoxes: numMaxBoxes)
        builder.batchTransforms = batchTransforms
        builder.mixupEpoch = mixupEpoch
        cursor = BatchCursor(builder: builder, batchSize: batchSize * shard.count, shuffle: shuffle, dropLast: dropLast, state: state)
        cursor.shard = shard
        guard shard.count == 1 || cursor.samplesPerPass % cursor.batchSize == 0 else {
            throw DataError.invalidConfiguration(
                "the last batch of a pass (\(cursor.samplesPerPass % cursor.batchSize) of \(cursor.samplesPerPass) samples) cannot be split over \(shard.count) processes: set the reader's drop_last: true")
        }
        guard dataset.count >= cursor.batchSize || !dropLast else {
            throw DataError.invalidConfiguration(
                "the data set has \(dataset.count) samples, fewer than one global batch of \(batchSize) x \(shard.count) processes, and drop_last is set: no batch can be formed")
        }
        guard state.pass >= 0, state.offset >= 0, state.offset % cursor.batchSize == 0, state.offset < cursor.samplesPerPass else {
            throw DataError.invalidConfiguration(
                "loader state pass \(state.pass) offset \(state.offset) is not a batch boundary of a pass of \(cursor.samplesPerPass) samples")
        }
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.prefetch = prefetch
        self.seed = seed
        self.shard = shard
        self.state = state
    }

    deinit { stop() }

    /// `[C, H, W]` of every sample after the transforms (batch transforms may resize a batch).
    public var sampleShape: [Int] { cursor.builder.sampleShape }
    /// Batches in one pass over the data set.
    public var batchesPerPass: Int { cursor.batchesPerPass }

    /// The next batch of the stream.
    /// - Throws: the data set's or a transform's error; the state stays on the failed batch.
    public func next() throws -> Batch {
        guard prefetch > 0 else {
            let batch = try cursor.next()
            state = cursor.state
            return batch
        }
        if prefetcher == nil { prefetcher = Prefetcher(cursor: cursor, capacity: prefetch) }
        switch prefetcher!.next() {
        case let .success((batch, nextState)):
            state = nextState
            return batch
        case let .failure(error):
            stop()
            throw error
        }
    }

    /// Ends the prefetch thread (waiting for it); later `next()` calls restart from `state`.
    public func stop() {
        prefetcher?.stop()
        prefetcher = nil
        cursor = BatchCursor(builder: cursor.builder, batchSize: batchSize * shard.count, shuffle: shuffle, dropLast: dropLast, state: state)
        cursor.shard = shard
    }

    /// One ordered pass over the whole data set (no shuffle, last partial batch kept), with
    /// augmentation generators independent of the training stream.
    public func evalBatches() -> EvalBatches {
        EvalBatches(builder: cursor.builder, batchSize: batchSize)
    }
}
