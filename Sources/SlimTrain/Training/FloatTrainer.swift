import Foundation
import SlimConfig
import SlimGraph
import SlimTensor

/// HAT's float stage (`slim train`): trains the model YAML's architecture for `epoch` epochs of
/// `max_iters` batches, evaluates after each, and keeps `<save_dir>/<name>/last` and `best`
/// (by the `metric` global) as inference model directories. An earlier run's `best` is replaced
/// only by a better epoch unless `overwrite` (`BestModel`).
public final class FloatTrainer {
    public let config: ModelConfig
    public let train: ReaderSpec
    public let eval: ReaderSpec
    public let session: TrainingSession
    public let epochs: Int
    public let itersPerEpoch: Int
    public let outputDir: String
    /// Replace an earlier run's `best` even by a worse model.
    public var overwrite = false
    /// `snapshot_iter`: also save `<outputDir>/<step>` every that many steps, and
    /// `<outputDir>/model_final` at the end (PaddleDetection's tools/train.py layout).
    public let snapshotIter: Int?
    /// The eval value that picks the best epoch (nil: the result's primary value).
    let bestMetric: String?
    let seed: UInt64
    let log: (String) -> Void

    /// - Parameters:
    ///   - datasetDir: the CLI's `-d`, replacing every reader's `dataset_dir`.
    ///   - name: the run's folder under `save_dir` (default: the YAML file's name).
    public init(config: ModelConfig, datasetDir: String? = nil, name: String? = nil, log: @escaping (String) -> Void) throws {
        self.config = config
        self.log = log
        let pretrained = try config.localPath("pretrain_weights")  // a URL is an error before any data is read
        train = try ReaderSpec(config, reader: .train, datasetDir: datasetDir)
        eval = try ReaderSpec(config, reader: .eval, datasetDir: datasetDir)
        if try config.string("architecture") == "YOLOv3" { try train.checkClassCount(config) }
        seed = UInt64(truncatingIfNeeded: try config.int("seed") ?? 1)
        (itersPerEpoch, epochs) = try Self.runLength(config, train: train)
        let model = try ModelFactory.make(config, imageShape: train.imageShape)
        session = try TrainingSession(model: model, optimizer: try OptimizerFactory.make(config),
                                      schedule: try ScheduleFactory.make(config, itersPerEpoch: itersPerEpoch, totalIters: itersPerEpoch * epochs),
                                      seed: seed)
        let runName = name ?? ((config.path as NSString).lastPathComponent as NSString).deletingPathExtension
        outputDir = ((try config.string("save_dir") ?? "output") as NSString).appendingPathComponent(runName)
        snapshotIter = try Self.snapshotIter(config)
        bestMetric = try Self.bestMetric(config, detector: session.interface.metric != .topK)
        try session.distribute(config: config, log: log)
        if config.node("metric")?.text == "COCO" { session.metricKind = .coco }
        session.mapType = VOCMeanAP.MapType(rawValue: try config.string("map_type") ?? "11point") ?? .elevenPoint
        if let pretrained { try session.loadPretrained(from: pretrained, log: log) }
    }

    /// `max_iters` (default: one pass over the train reader) and `epoch`, both > 0, with every
    /// count of the run (batches, images) representable.
    static func runLength(_ config: ModelConfig, train: ReaderSpec) throws -> (itersPerEpoch: Int, epochs: Int) {
        let batch = train.globalBatchSize
        let perPass = train.dropLast ? train.dataset.count / batch : (train.dataset.count + batch - 1) / batch
        let iters = try config.int("max_iters") ?? perPass, epochs = try config.int("epoch") ?? 1
        let mark = config.node("max_iters")?.mark ?? SourceMark(file: config.path, line: 1, column: 1)
        guard epochs > 0 else { throw ConfigError("epoch must be > 0, got \(epochs)", at: config.node("epoch")?.mark ?? mark) }
        try RunLength.check(itersPerEpoch: iters, epochs: epochs, batchSize: train.batchSize,
                            itersMark: mark, epochsMark: config.node("epoch")?.mark ?? mark)
        return (iters, epochs)
    }

    /// `snapshot_iter` (> 0), nil when absent.
    static func snapshotIter(_ config: ModelConfig) throws -> Int? {
        guard let every = try config.int("snapshot_iter") else { return nil }
        guard every > 0 else {
            throw ConfigError("snapshot_iter must be > 0 (iterations between snapshots), got \(every)",
                              at: config.node("snapshot_iter")?.mark ?? SourceMark(file: config.path, line: 1, column: 1))
        }
        return every
    }

    /// The value of an eval result that picks the best epoch: `metric` top1, top5 or loss for a
    /// classifier (default top1); a detector's `metric` VOC or COCO picks its primary value
    /// (`map`, `AP`), as it does when absent.
    /// - Throws: `ConfigError` at `metric` when it names the other task's metric.
    static func bestMetric(_ config: ModelConfig, detector: Bool) throws -> String? {
        guard let node = config.node("metric"), let name = try config.string("metric") else {
            return detector ? nil : EvalResult.classificationPrimary
        }
        let detection = ["VOC", "COCO"].contains(name)
        guard detection == detector else {
            throw ConfigError("metric \(name) does not apply to \(try config.string("architecture") ?? "this model")",
                              at: node.mark, notes: [detector ? "a detector is measured with VOC or COCO" : "a classifier is measured with top1, top5 or loss"])
        }
        return detector ? nil : name
    }

    /// Trains and evaluates every epoch; returns the eval history (one result per epoch).
    @discardableResult
    public func run() throws -> [EvalResult] {
        let loader = try train.loader(seed: seed)
        defer { loader.stop() }
        let progress = ProgressReporter(epochs: epochs, batchesPerEpoch: itersPerEpoch, logIter: try config.int("log_iter") ?? 20, write: log)
        let metric = bestMetric
        var best = try BestModel(directory: (outputDir as NSString).appendingPathComponent("best"), eval: eval,
                                 image: session.interface.image, overwrite: overwrite, log: log)
        var history: [EvalResult] = []
        let start = ProgressReporter.monotonicSeconds()
        for epoch in 1...epochs {
            for b in 1...itersPerEpoch {
                let batch = try loader.next()
                let (loss, lr) = try session.trainBatch(batch)
                progress.batchEnded(epoch: epoch, batch: b, images: batch.images.shape[0] * loader.shard.count, loss: loss, lr: lr)
                if let every = snapshotIter, session.step % every == 0 {
                    try save(to: String(session.step))
                    progress.summary("saved snapshot \(outputDir)/\(session.step)")
                }
            }
            let result = try session.evaluate(eval)
            history.append(result)
            try save(to: "last")
            var note = ""
            if best.isImproved(by: result, metric: metric) {
                try best.replace(with: result, epoch: epoch) { try save(to: "best") }
                note = "  (best, saved)"
            }
            progress.summary("epoch \(epoch)/\(epochs) eval: \(result)\(note)")
        }
        let images = epochs * itersPerEpoch * train.globalBatchSize
        log(TrainingSummary.format(epochs: epochs, batches: epochs * itersPerEpoch, images: images,
                                   seconds: ProgressReporter.monotonicSeconds() - start,
                                   best: best.epoch.flatMap { epoch in best.result.map { ($0.primary, epoch) } },
                                   bestName: best.result?.primaryName ?? EvalResult.classificationPrimary) + "\n")
        if snapshotIter != nil {
            try save(to: "model_final")
            log("saved \(outputDir)/model_final\n")
        }
        if best.epoch == nil {
            log("saved \(outputDir)/last; kept \(outputDir)/best of an earlier run: no epoch beat its \(metric ?? "primary value")\n")
        } else {
            log("saved \(outputDir)/best and \(outputDir)/last\n")
        }
        return history
    }

    /// Saves the inference program (inference feeds -> outputs) and its parameters (under
    /// `mpirun`: rank 0 writes, the ranks hold the same weights).
    func save(to folder: String) throws {
        guard MPIWorld.isRoot else { return }
        let (inference, params) = try session.inferenceModel()
        try ModelFile.save(program: inference, params: params, to: (outputDir as NSString).appendingPathComponent(folder))
    }
}
