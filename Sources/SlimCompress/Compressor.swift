import Foundation
import SlimConfig
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// PaddleSlim 1.x's Compressor: runs epochs `0..<compressor.epoch` of `max_iters` batches,
/// evaluating every `eval_epoch`, checkpointing every epoch, and calling the strategies' hooks.
///
/// Each epoch: strategies' `onEpochBegin`, the batches (with batch hooks), evaluation,
/// the checkpoint `<checkpoint_path>/<epoch>/`, then `onEpochEnd` (where QuantizationStrategy
/// freezes at `end_epoch`). A restart resumes after the newest complete checkpoint; an error in
/// an epoch stops the run with that error, the previous checkpoint intact. When every strategy
/// has `trainsModel == false` (post-training quantization only), epochs run no batches.
public final class Compressor {
    public let compression: CompressionConfig
    public let context: CompressionContext
    public let strategies: [any Strategy]
    public let checkpointer: Checkpointer
    let seed: UInt64
    let logIter: Int

    /// - Parameter strategies: the strategies to run instead of the slim YAML's (tests).
    public init(compression: CompressionConfig, model: ModelConfig, datasetDir: String? = nil,
                strategies override: [any Strategy]? = nil, log: @escaping (String) -> Void) throws {
        registerOps()
        self.compression = compression
        let train = try ReaderSpec(model, reader: .train, datasetDir: datasetDir)
        let eval = try ReaderSpec(model, reader: .eval, datasetDir: datasetDir)
        seed = UInt64(truncatingIfNeeded: try model.int("seed") ?? 1)
        logIter = try model.int("log_iter") ?? 20
        let perPass = train.dataset.count / train.globalBatchSize
        let iters = try model.int("max_iters") ?? max(perPass, 1)
        let epochs = compression.compressor.epoch
        try RunLength.check(itersPerEpoch: iters, epochs: epochs, batchSize: train.batchSize,
                            itersMark: model.node("max_iters")?.mark ?? SourceMark(file: model.path, line: 1, column: 1),
                            epochsMark: SourceMark(file: compression.path, line: 1, column: 1))
        if try model.string("architecture") == "YOLOv3" { try train.checkClassCount(model) }
        let built = try ModelFactory.make(model, imageShape: train.imageShape)
        let session = try TrainingSession(model: built, optimizer: try OptimizerFactory.make(model),
                                          schedule: try ScheduleFactory.make(model, itersPerEpoch: iters, totalIters: iters * epochs),
                                          seed: seed)
        try session.distribute(config: model, log: log)
        if model.node("metric")?.text == "COCO" { session.metricKind = .coco }
        session.mapType = try VOCMeanAP.MapType.configured(in: model)
        context = CompressionContext(session: session, train: train, eval: eval, model: model, itersPerEpoch: iters, log: log)
        strategies = override ?? compression.strategies.map { config -> any Strategy in
            switch config {
            case let .quantization(name, q): return QuantizationStrategy(name: name, config: q)
            case let .postTrainingQuantization(name, c): return PostTrainingQuantizationStrategy(name: name, config: c)
            case let .prune(name, p):
                return p.kind == .uniform ? UniformPruneStrategy(name: name, config: p) : SensitivePruneStrategy(name: name, config: p)
            case let .distillation(name, d): return DistillationStrategy(name: name, config: d)
            }
        }
        checkpointer = Checkpointer(root: compression.compressor.checkpointPath)
    }

    /// Runs (or resumes) the compression.
    public func run() throws {
        let log = context.log
        checkpointer.removeStaleTemporaries()
        defer { checkpointer.removeStaleTemporaries() }
        let start = try resumeOrStart()
        try MPIWorld.shared()?.requireAgreement(start, on: "the epoch to start at",
                                                hint: "every node must see the same compressor.checkpoint_path (a shared folder)")
        let epochs = compression.compressor.epoch
        if start < epochs { try checkpointer.checkReplaceable(epochs: start..<epochs) }
        for s in strategies { try s.onCompressionBegin(context) }   // e.g. a freeze a stopped run had not done
        guard start < epochs else {
            let newest = start > 0 ? "the newest checkpoint, \(checkpointer.directory(epoch: start - 1)), ends epoch \(start - 1) and " : ""
            log("nothing to train: \(newest)compressor.epoch is \(epochs); raise epoch to train further, "
                + "or save the models of a checkpoint with slim freeze\n")
            return
        }
        let loader = try context.train.loader(seed: seed, state: loaderState)
        defer { loader.stop() }
        let progress = ProgressReporter(epochs: epochs, batchesPerEpoch: context.itersPerEpoch, logIter: logIter, write: log)
        let trains = strategies.isEmpty || strategies.contains { $0.trainsModel }
        for epoch in start..<epochs {
            context.epoch = epoch
            for s in strategies { try s.onEpochBegin(context) }
            for b in 1...context.itersPerEpoch where trains {
                for s in strategies { try s.onBatchBegin(context) }
                let batch = try loader.next()
                let (loss, lr) = try context.session.trainBatch(batch)
                progress.batchEnded(epoch: epoch + 1, batch: b, images: batch.images.shape[0] * loader.shard.count, loss: loss, lr: lr)
                for s in strategies { try s.onBatchEnd(context) }
            }
            if (epoch + 1) % compression.compressor.evalEpoch == 0 || epoch == epochs - 1 {
                let result = try context.session.evaluate(context.eval)
                context.recordEval(result)
                progress.summary("epoch \(epoch) eval: \(result)")
                if let lines = context.detectionLines() { log(lines) }
            } else {
                progress.finishLine()
            }
            try checkpointer.save(context: context, loader: loader.state, strategies: strategies)
            log("saved checkpoint \(checkpointer.directory(epoch: epoch))\n")
            Checkpointer.testHook("checkpoint-saved-\(epoch)")
            for s in strategies { try s.onEpochEnd(context) }
        }
        for s in strategies { try s.onCompressionEnd(context) }
    }

    private var loaderState = LoaderState()

    /// Restores the newest complete checkpoint (replaying the strategies' program changes first)
    /// and returns the epoch to start at; without one, loads `init_model` / `pretrain_weights`.
    private func resumeOrStart() throws -> Int {
        if let restored = try checkpointer.restoreLatest(into: context, strategies: strategies) {
            loaderState = restored.loader
            context.log("resuming from \(checkpointer.directory(epoch: restored.epoch)) at epoch \(restored.epoch + 1)\n")
            return restored.epoch + 1
        }
        let initial = try compression.compressor.initModel ?? context.model.localPath("pretrain_weights")
        if let path = initial, !path.isEmpty {
            for s in strategies { try s.onInitModel(path: path, context: context) }
            try context.session.loadPretrained(from: path, log: context.log)
        } else if try context.model.string("architecture") != "Imported" {   // an imported model starts from its own weights
            context.log("warning: no pretrain_weights or init_model: compressing from random initial weights\n")
        }
        return 0
    }
}
