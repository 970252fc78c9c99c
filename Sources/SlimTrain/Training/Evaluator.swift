import Foundation
import SlimGraph
import SlimTensor

/// Evaluates a program on an ordered pass over a reader with a `Metric`: each batch's feeds go
/// in, the metric's fetches come out and the metric accumulates them.
///
/// The first feed takes the batch's images whatever its name (a saved model's one input);
/// any further feed (e.g. a detector's `im_size`) takes the batch's tensor of the same name.
/// The default metric is classification's `TopKMetric` on the output (loss, top-1, top-5), which
/// needs only the image feed and the probability output, so it measures training programs,
/// saved inference models, and frozen float and int8 models alike.
public struct Evaluator {
    public var executor: Executor
    /// The feed vars, the image first.
    public var feeds: [String]
    /// The output var: a classifier's probabilities (what `outputs` and `logits` read).
    public var output: String
    /// What the evaluation measures.
    public var metric: any Metric

    /// A classifier's evaluator: `image` (default: the feed named `image`, else the program's
    /// only feed, as an imported ONNX model's input) fed with the batch's images, the top-k
    /// metric on `output` (default: the program's first fetch). When a `multiclass_nms` writes
    /// `output` (a saved detector), VOC mAP instead, with the program's other feeds (`im_size`)
    /// fed by name.
    /// - Throws: `GraphError` when `output` is nil and the program has no fetch.
    public init(executor: Executor, image: String? = nil, output: String? = nil) throws {
        let feeds = executor.program.feeds
        let image = image ?? (feeds.count == 1 && !feeds.contains("image") ? feeds[0] : "image")
        guard let out = output ?? executor.program.fetches.first else {
            throw GraphError("the program has no fetch to evaluate", hints: ["its fetches are empty"])
        }
        if let detection = try DetectionMetric.voc(program: executor.program, output: out) {
            self.init(executor: executor, feeds: [image] + executor.program.feeds.filter { $0 != image }, output: out, metric: detection)
        } else {
            self.init(executor: executor, feeds: [image], output: out, metric: TopKMetric(output: out))
        }
    }

    /// An evaluator of any task: `feeds` (the image first), `metric` over its fetches; `output`
    /// is the var `outputs` and `logits` read (a classifier's probabilities).
    /// - Precondition: `feeds` is not empty.
    public init(executor: Executor, feeds: [String], output: String, metric: any Metric) {
        precondition(!feeds.isEmpty, "a model has a feed")
        self.executor = executor
        self.feeds = feeds
        self.output = output
        self.metric = metric
    }

    /// One pass over `reader`'s data in order (last partial batch kept); under `mpirun` the pass
    /// is shared by the ranks: a classifier's counts are summed (`ShardedEvaluation`), a
    /// detector's outputs gathered in data order (`GatheredEvaluation`).
    /// - Parameters:
    ///   - onBatch: called after each batch with (batches done, total).
    ///   - onScores: called with each batch's output (a classifier's `[N, C]` scores) and its
    ///     `[N, 1]` labels, in data order, for batches that have labels.
    public func evaluate(_ reader: ReaderSpec, scope: Scope, onBatch: ((Int, Int) -> Void)? = nil,
                         onScores: ((Tensor, Tensor) throws -> Void)? = nil) throws -> EvalResult {
        var batches = try Self.orderedBatches(reader)
        var metric = metric
        metric.reset()
        let fetches = metric.fetches
        var done = 0
        if onScores == nil, metric is DetectionMetric {   // not a sum: outputs gathered, metric updated on every rank
            let total = batches.count
            try GatheredEvaluation(fetches: fetches).run(&batches, infer: {
                try executor.run(feeds: try inputs($0), scope: scope, mode: .eval, fetches: fetches)
            }) { batch, outputs in
                try metric.update(batch: batch, outputs: outputs)
                done += 1
                onBatch?(done, total)
            }
            return metric.accumulate()
        }
        let shard = onScores == nil ? try ShardedEvaluation.shard(for: metric) : .whole
        for index in 0..<batches.count {
            guard index % shard.count == shard.rank else { batches.skip(); continue }
            guard let batch = try batches.next() else { break }
            let fetched = try executor.run(feeds: try inputs(batch), scope: scope, mode: .eval, fetches: fetches)
            try metric.update(batch: batch, outputs: fetched)
            if let onScores, let scores = fetched[output], let labels = batch[Batch.label] { try onScores(scores, labels) }
            done += 1
            onBatch?(done, batches.count)
        }
        return try ShardedEvaluation.combine(metric.accumulate(), shard: shard)
    }

    /// The executor's feeds for `batch`: its images to the first feed, the others by name.
    /// - Throws: `DataError.mismatch` when the batch lacks a feed.
    func inputs(_ batch: Batch) throws -> [String: Tensor] {
        try batch.inferenceFeeds(feeds)
    }

    /// The batches of an evaluation pass over `reader`: `ceil(samples / batch_size)`.
    public static func batchCount(_ reader: ReaderSpec) -> Int {
        (reader.dataset.count + reader.batchSize - 1) / reader.batchSize
    }

    /// `reader`'s data in order, unshuffled, the last partial batch kept: what every evaluation reads.
    static func orderedBatches(_ reader: ReaderSpec) throws -> EvalBatches {
        try DataLoader(dataset: reader.dataset, batchSize: reader.batchSize, shuffle: false, dropLast: false,
                       transforms: reader.transforms, seed: 0, prefetch: 0).evalBatches()
    }

    /// The logits: the input of the softmax that computes `output`, if the program ends in one.
    public var logits: String? {
        executor.program.ops.last { $0.type == "softmax" && $0.output("Out") == output }?.input("X")
    }

    /// The `[N, classes]` probabilities for a batch, and the var `logits` too when given, after
    /// checking the batch's labels against the model's classes (`Batch.checkLabels`) unless
    /// `checkLabels` is false (a caller that checks them against another model's same-shaped output).
    /// - Throws: `GraphError` when the output is not `[N, classes]`, `DataError.labelOutOfRange`.
    public func outputs(_ batch: Batch, scope: Scope, logits: String? = nil,
                        checkLabels: Bool = true) throws -> (probabilities: Tensor, logits: Tensor?) {
        let fetched = try executor.run(feeds: try inputs(batch), scope: scope, mode: .eval, fetches: [output] + (logits.map { [$0] } ?? []))
        let probabilities = try TopKMetric.probabilities(fetched[output], of: output, for: batch, checkLabels: checkLabels)
        return (probabilities, logits.flatMap { fetched[$0] })
    }
}
