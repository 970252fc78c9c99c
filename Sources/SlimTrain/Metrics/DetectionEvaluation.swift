import SlimGraph
import SlimTensor

/// `slim eval` of a detector: one ordered pass over the eval reader measuring VOC mAP
/// (`DetectionMetric`) and, on request, keeping every detection as a `DetectionPrediction`.
///
/// The feeds are the program's: the batch's images to the image feed, the others (`im_size`, the
/// images' original sizes) by name, so the NMS rows are in original-image pixels. Detections of a
/// batch whose output is Paddle's empty `[[-1]]` are none; as in the metric, that batch's
/// ground truth is not counted either.
public struct DetectionEvaluation {
    public let executor: Executor
    public let feeds: [String]
    public let output: String
    public let mapType: VOCMeanAP.MapType
    private let metric: DetectionMetric
    private let counts: String?

    /// - Throws: `GraphError` when the program's first fetch is not written by `multiclass_nms`.
    public init(executor: Executor, mapType: VOCMeanAP.MapType = .elevenPoint) throws {
        let program = executor.program
        guard let output = program.fetches.first, let metric = try DetectionMetric.voc(program: program, output: output, mapType: mapType) else {
            throw GraphError("the model is not a detector", hints: ["its first fetch is not written by a multiclass_nms op"])
        }
        let image = program.feeds.contains("image") ? "image" : program.feeds.first ?? "image"
        self.executor = executor
        feeds = [image] + program.feeds.filter { $0 != image }
        self.output = output
        self.mapType = mapType
        counts = metric.counts
        self.metric = metric
    }

    /// The result (`map` in [0, 1]), when `keepPredictions` every detection in data order, and
    /// the batches the model ran on here: all of them, or under `mpirun` this rank's share (the
    /// ranks share the model runs and every rank gets the whole result, `GatheredEvaluation`).
    /// - Parameter classNames: the names written in the predictions (nil: the ids).
    public func evaluate(_ reader: ReaderSpec, scope: Scope, keepPredictions: Bool, classNames: [String]?,
                         onBatch: ((Int, Int) -> Void)? = nil) throws -> (result: EvalResult, predictions: [DetectionPrediction], modelRuns: Int) {
        var batches = try Evaluator.orderedBatches(reader)
        var metric = metric
        metric.reset()
        var predictions: [DetectionPrediction] = []
        var done = 0
        let total = batches.count, fetches = metric.fetches
        let runs = try GatheredEvaluation(fetches: fetches).run(&batches, infer: {
            try executor.run(feeds: try $0.inferenceFeeds(feeds), scope: scope, mode: .eval, fetches: fetches)
        }) { batch, fetched in
            try metric.update(batch: batch, outputs: fetched)
            if keepPredictions {
                predictions += try Self.predictions(batch, fetched: fetched, output: output, counts: counts, classNames: classNames)
            }
            done += 1
            onBatch?(done, total)
        }
        return (metric.accumulate(), predictions, runs)
    }

    /// The batch's detections as predictions, image by image.
    static func predictions(_ batch: Batch, fetched: [String: Tensor], output: String, counts: String?,
                            classNames: [String]?) throws -> [DetectionPrediction] {
        guard let perImage = try DetectionMetric.detections(fetched, output: output, counts: counts, images: batch.count) else { return [] }
        return zip(0..<batch.count, perImage).flatMap { row, detections in
            detections.map { d in
                DetectionPrediction(image: batch.sampleName(row: row), imageID: batch.imageIDs?[row], detection: d,
                                    name: DetectionPrediction.name(of: d.label, in: classNames))
            }
        }
    }
}
