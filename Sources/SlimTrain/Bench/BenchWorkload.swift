import SlimGraph
import SlimTensor

/// One benchmark step, built once and run repeatedly: what `slim bench` times.
struct BenchWorkload {
    /// The precision the step really runs in (the label of the result).
    var precision: BenchConfiguration.Precision
    var step: () throws -> Void

    /// Builds the step `configuration` describes (model, optimizer state, batches, primitives
    /// are created lazily by the first steps, which is why there is a warm-up).
    /// - Throws: `BenchError` for what this version cannot run; data, model-file and graph errors.
    static func make(_ configuration: BenchConfiguration) throws -> BenchWorkload {
        switch configuration.target {
        case let .zoo(model):
            if configuration.precision == .int8 {
                throw BenchError(.unavailable, "--dtype int8 needs the INT8 engine, which this version of slim does not have yet",
                                 hints: ["benchmark FP32 with --dtype fp32, or an int8 model directory with --model DIR"])
            }
            switch configuration.mode {
            case .train: return try train(model, configuration)
            case .infer: return try infer(model, configuration)
            }
        case let .directory(path):
            return try modelDirectory(path, configuration)
        }
    }

    /// Forward in train mode, backward, Momentum 0.9 update at a constant lr 0.01: the three
    /// calls of `TrainingSession.trainBatch` (which this switches to once that type is on main).
    static func train(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let built = model.build(seed: configuration.seed)
        let executor = try Executor(program: built.program, seed: configuration.seed)
        let scope = Scope(built.params)
        let optimizer = Momentum(momentum: 0.9)
        var state: [String: Tensor] = [:]
        let next = try BenchBatches.source(for: model, configuration)
        let (image, label, loss) = (built.image, built.label, built.head.loss)
        return BenchWorkload(precision: .fp32) {
            let batch = try next()
            try executor.run(feeds: [image: batch.images, label: batch.labels], scope: scope, mode: .train, fetches: [loss])
            let grads = try executor.backward(loss: loss)
            var params = scope.tensors
            optimizer.step(params: &params, grads: grads, state: &state, lr: 0.01)
            for name in grads.keys { scope.tensors[name] = params[name] }
        }
    }

    /// Eval-mode forward of the classifier's inference output (softmax probabilities).
    static func infer(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let built = model.build(seed: configuration.seed)
        let executor = try Executor(program: built.program, seed: configuration.seed)
        let scope = Scope(built.params)
        let next = try BenchBatches.source(for: model, configuration)
        let image = built.image, output = built.head.output
        return BenchWorkload(precision: .fp32) {
            try executor.run(feeds: [image: try next().images], scope: scope, mode: .eval, fetches: [output])
        }
    }
}
