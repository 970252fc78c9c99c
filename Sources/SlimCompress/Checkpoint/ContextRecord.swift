import SlimTensor
import SlimTrain

/// `context.json` of a checkpoint: where the run stood after an epoch.
struct ContextRecord: Codable {
    static let currentVersion = 1
    var formatVersion = ContextRecord.currentVersion
    /// The epoch this checkpoint ends (0-based); a resume starts at `epoch + 1`.
    var epoch: Int
    /// Optimisation steps done (the learning-rate schedule's position).
    var step: Int
    /// Eval results by epoch (JSON keys are the epoch numbers).
    var evalHistory: [String: EvalResult]
    var bestEpoch: Int?
    /// The executor's generator (dropout masks).
    var generator: SeededGenerator
    /// The train loader's position (its next batch).
    var loader: LoaderState
}
