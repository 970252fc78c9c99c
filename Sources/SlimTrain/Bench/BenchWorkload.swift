import SlimGraph
import SlimTensor

/// One benchmark step, built once and run repeatedly: what `slim bench` times.
struct BenchWorkload {
    /// The precision the step really runs in (the label of the result).
    var precision: BenchConfiguration.Precision
    var step: () throws -> Void
    /// The executor of the step, for `--profile` (nil where the step is not one executor's runs).
    var executor: Executor?

    init(precision: BenchConfiguration.Precision, executor: Executor? = nil, step: @escaping () throws -> Void) {
        self.precision = precision
        self.executor = executor
        self.step = step
    }

    /// Builds the step `configuration` describes (model, optimizer state, batches, primitives
    /// are created lazily by the first steps, which is why there is a warm-up).
    /// - Throws: `BenchError` for what this version cannot run; data, model-file and graph errors.
    static func make(_ configuration: BenchConfiguration) throws -> BenchWorkload {
        switch configuration.target {
        case let .zoo(model) where model.isDetector:
            switch (configuration.mode, configuration.precision ?? .fp32) {
            case (.train, _): return try detectorTrain(model, configuration)
            case (_, .int8): return try detectorInt8(model, configuration)
            default: return try detectorInfer(model, configuration)
            }
        case let .zoo(model):
            switch (configuration.mode, configuration.precision ?? .fp32) {
            case (.train, .fp32): return try train(model, configuration)
            case (.infer, .fp32): return try infer(model, configuration)
            case (.infer, .int8): return try int8(model, configuration)
            case (.qat, .fp32): return try qat(model, configuration)
            case (.train, .int8), (.qat, .int8):
                throw BenchError(.usage, "--dtype int8 is for inference; training runs in FP32 (with fake quantization in QAT)",
                                 hints: ["use --mode infer --dtype int8, or --mode train --dtype fp32"])
            }
        case let .directory(path):
            return try modelDirectory(path, configuration)
        }
    }

    /// `TrainingSession.trainBatch`: forward in train mode, backward, Momentum 0.9 update at a
    /// constant lr 0.01.
    static func train(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let session = try TrainingSession(model: try model.build(seed: configuration.seed), optimizer: Momentum(momentum: 0.9),
                                          schedule: ConstantLR(0.01), seed: configuration.seed)
        let next = try BenchBatches.source(for: model, configuration)
        return BenchWorkload(precision: .fp32, executor: session.executor) { _ = try session.trainBatch(try next()) }
    }

    /// Eval-mode forward of the classifier's inference output (softmax probabilities).
    static func infer(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let built = try model.build(seed: configuration.seed)
        if let dir = configuration.saveModel {
            let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
            try ModelFile.save(program: inference, params: built.params.filter { inference.has($0.key) }, to: dir)
        }
        let executor = try Executor(program: built.program, seed: configuration.seed)
        executor.replaysInference = true
        let scope = Scope(built.params)
        let next = try BenchBatches.source(for: model, configuration)
        let image = built.image, output = built.interface.output
        return BenchWorkload(precision: .fp32, executor: executor) {
            try executor.run(feeds: [image: try next().images], scope: scope, mode: .eval, fetches: [output])
        }
    }
}
