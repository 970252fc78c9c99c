import SlimConfig
import SlimGraph
import SlimTensor

extension ModelFactory {
    /// The inference model of a model YAML with trained weights: `architecture` built as
    /// `slim train` and `slim compress` build it (`make`), the model directory `weights` loaded
    /// as they load `pretrain_weights` (`TrainingSession.loadPretrained`: name, shape and dtype
    /// matches, 1-channel picture filters spread), then pruned to the inference feeds and outputs
    /// as `slim train` saves `best` and `last` (`TrainingSession.inferenceModel`). So it is the
    /// program and params of the model directory such a training would have saved.
    ///
    /// Unlike `pretrain_weights`, every persistable of the inference model must come from
    /// `weights`: a var left at its random initial value is an error, not a warning.
    /// - Parameters:
    ///   - imageShape: the picture shape `[C, H, W]` the model is built for.
    ///   - log: receives `loadPretrained`'s lines (what was loaded from `weights`).
    /// - Throws: `ConfigError` for the model YAML, `ModelFileError` for `weights` (unreadable,
    ///   nothing matched, or `.mismatch` naming the inference vars it did not provide).
    public static func inferenceModel(_ config: ModelConfig, imageShape: [Int], weights: String,
                                      log: (String) -> Void) throws -> (program: Program, params: [String: Tensor]) {
        let built = try make(config, imageShape: imageShape)
        let session = try TrainingSession(model: built, optimizer: SGD(), schedule: ConstantLR(0),
                                          seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1))
        let loaded = Set(try session.loadPretrained(from: weights, log: log))
        let inference = try session.inferenceModel()
        let missing = inference.program.persistables.filter { !loaded.contains($0.name) }.map { "\($0.name) \($0.dtype)\($0.shape)" }
        guard missing.isEmpty else {
            throw ModelFileError(.mismatch, path: weights, "it has no value for \(missing.count) of the \(inference.program.persistables.count) weights of \(config.path)'s inference model",
                                 expected: "trained weights of this architecture, num_classes and picture shape \(imageShape): \(TrainingSession.listed(missing))",
                                 hints: ["a slim train output such as output/<name>/best, or a checkpoint's eval_model, of the same model YAML"])
        }
        return inference
    }
}
