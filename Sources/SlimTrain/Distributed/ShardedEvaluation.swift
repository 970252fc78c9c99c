import Foundation

/// Evaluation shared by the ranks of an `mpirun` run: rank `r` of `N` evaluates batches
/// `r, r + N, r + 2N, ...` of the ordered pass, and the classification result is rebuilt from
/// the sums over the ranks (summed loss, top-1 and top-5 correct counts, samples), so it equals
/// the result of one process evaluating every batch (not a mean of the ranks' percentages).
///
/// Metrics that are not sums of per-sample terms (a detector's mAP) share the model runs the
/// same way but gather the outputs instead (`GatheredEvaluation`).
enum ShardedEvaluation {
    /// This rank's share of an evaluation with `metric`: `DataShard.current()` for the
    /// classification metric, `whole` for any other.
    static func shard(for metric: any Metric) throws -> DataShard {
        metric is TopKMetric ? try DataShard.current() : .whole
    }

    /// The result over every rank from this rank's `result` over its batches.
    static func combine(_ result: EvalResult, shard: DataShard) throws -> EvalResult {
        guard shard.count > 1, let world = try MPIWorld.shared(),
              let loss = result["loss"], let top1 = result["top1"], let top5 = result["top5"] else { return result }
        let n = Double(result.samples)
        var sums = [loss * n, (top1 * n).rounded(), (top5 * n).rounded(), n]
        world.allreduce(&sums, .sum, what: "the evaluation counts")
        let samples = sums[3]
        guard samples > 0 else { return result }
        return EvalResult(loss: sums[0] / samples, top1: sums[1] / samples, top5: sums[2] / samples, samples: Int(samples))
    }
}
