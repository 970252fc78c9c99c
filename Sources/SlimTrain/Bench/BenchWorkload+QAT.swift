import SlimGraph
import SlimQuant

extension BenchWorkload {
    /// `TrainingSession.trainBatch` of the quantization-aware-training program: the zoo model
    /// after `QuantizationTransformPass` (`configuration.quantization`), then forward in train
    /// mode (fake quantization, scale updates), backward (straight-through), Momentum 0.9 update
    /// at a constant lr 0.01, as `train`. The same step as `slim compress` with a
    /// QuantizationStrategy after its `start_epoch`.
    static func qat(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        registerOps()
        var built = try model.build(seed: configuration.seed)
        try QuantizationTransformPass(configuration.quantization).apply(to: &built.program, params: &built.params)
        let session = try TrainingSession(model: built, optimizer: Momentum(momentum: 0.9),
                                          schedule: ConstantLR(0.01), seed: configuration.seed)
        let next = try BenchBatches.source(for: model, configuration)
        return BenchWorkload(precision: .fp32, executor: session.executor) { _ = try session.trainBatch(try next()) }
    }
}
