import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// What the pruning tests share: the FLOPs of a model's inference part, and a pruning that keeps
/// the first channels of each group.
extension XCTestCase {
    /// The multiply-adds of `program` from `m`'s inference feeds to its outputs (what `slim calops` counts).
    func inferenceFlops(_ program: Program, _ m: BuiltModel) throws -> Int {
        FlopsCounter(program: try program.pruned(feeds: m.interface.inferenceFeeds, fetches: m.interface.outputVars)).totalFlops
    }

    /// `m` pruned by `target`'s pruner, each group keeping its first `kept[group]` channels: the
    /// pruned program and parameters.
    func prunedKeepingFirst(_ kept: [String: Int], of m: BuiltModel, by target: PruneTarget) -> (program: Program, tensors: [String: Tensor]) {
        var tensors = m.params, state: [String: Tensor] = [:]
        let program = target.pruner.prune(m.program, keeping: kept.mapValues { Array(0..<$0) }, tensors: &tensors, state: &state)
        return (program, tensors)
    }
}
