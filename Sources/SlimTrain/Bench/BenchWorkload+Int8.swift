import SlimGraph
import SlimQuant
import SlimTensor

extension BenchWorkload {
    /// Batches of train-mode forward passes that set the activation scales and batch-norm
    /// statistics before an INT8 zoo model is frozen.
    static let calibrationSteps = 4
    static let calibrationBatch = 16
    /// The scheme of the INT8 zoo models.
    static let int8Scheme = QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax)

    /// `int8Scheme` with the configuration's weight bits (`--weight_bits`).
    static func int8Scheme(_ configuration: BenchConfiguration) -> QuantizationScheme {
        var scheme = int8Scheme
        scheme.weightBits = configuration.int8WeightBits
        return scheme
    }

    /// A zoo model through slim's INT8 pipeline, then an eval-mode forward of the lowered program
    /// (real u8/s8 kernels with s32 accumulation):
    ///
    ///     QuantizationTransformPass (`int8Scheme`: channel_wise_abs_max weights of `int8WeightBits`, moving_average_abs_max activations)
    ///     -> `calibrationSteps` train-mode forwards on seeded synthetic batches (scales, BN statistics)
    ///     -> prune to the inference output -> QuantizationFreezePass -> ConvertToInt8Pass -> Int8LoweringPass
    ///
    /// Speed does not depend on how good the scales are, so there is no training.
    static func int8(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        Int8Ops.register()
        let built = try model.build(seed: configuration.seed)
        var program = built.program, params = built.params
        let scheme = int8Scheme(configuration)
        try QuantizationTransformPass(scheme).apply(to: &program, params: &params)
        let scope = Scope(params)
        let calibration = try Executor(program: program, seed: configuration.seed)
        for step in 0..<calibrationSteps {
            let batch = BenchBatches.synthetic(batch: calibrationBatch, shape: model.inputShape, classes: 10,
                                               seed: configuration.seed &+ UInt64(step) &+ 1)
            try calibration.run(feeds: [built.image: batch.images], scope: scope, mode: .train, fetches: built.interface.outputVars)
        }
        var inference = try program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        var weights = scope.tensors
        try QuantizationFreezePass(scheme).apply(to: &inference, params: &weights)
        try ConvertToInt8Pass(integerResiduals: configuration.integerResiduals).apply(to: &inference, params: &weights)
        if let dir = configuration.saveModel { try ModelFile.save(program: inference, params: weights, to: dir) }
        let images = BenchBatches.synthetic(batch: configuration.batch, shape: model.inputShape, classes: 10, seed: configuration.seed).images
        return try lowered(inference, weights, feeds: [built.image: images], outputs: [built.interface.output], configuration)
    }

    /// `Int8LoweringPass` on an INT8 program (s8 weights), then its eval-mode forward of `feeds`
    /// to `outputs`.
    static func lowered(_ program: Program, _ params: [String: Tensor], feeds: [String: Tensor], outputs: [String],
                        _ configuration: BenchConfiguration) throws -> BenchWorkload {
        Int8Ops.register()
        var program = program, params = params
        try Int8LoweringPass().apply(to: &program, params: &params)
        let executor = try Executor(program: program, seed: configuration.seed)
        executor.replaysInference = true
        let scope = Scope(params)
        return BenchWorkload(precision: .int8, executor: executor) {
            try executor.run(feeds: feeds, scope: scope, mode: .eval, fetches: outputs)
        }
    }
}
