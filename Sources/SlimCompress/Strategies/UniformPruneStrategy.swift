import SlimConfig
import SlimGraph

/// PaddleSlim 1.x's `UniformPruneStrategy`: every matched conv loses the same ratio of its
/// filters (the smallest L1 norms), the ratio the smallest (by bisection) that removes
/// `target_ratio` of the original FLOPs.
public final class UniformPruneStrategy: PruneStrategy {
    override func ratios(_ target: PruneTarget, budget: Int, context: CompressionContext) throws -> [String: Double] {
        guard let r = try target.bisect(budget: budget, upper: 0.999, ratios: target.uniform) else {
            let least = try target.flops(keeping: target.kept(ratios: target.uniform(0.999)))
            throw GraphError("\(name): target_ratio \(config.targetRatio) cannot be reached by pruning the filters matching '\(config.prunedParams)'",
                             hints: [config.roundTo > 1
                                 ? "pruning them to round_to \(config.roundTo) channels each (convs with at most \(config.roundTo) keep theirs) leaves \(least) FLOPs, the target is \(budget): lower round_to or target_ratio, or widen pruned_params"
                                 : "pruning them to one channel each leaves \(least) FLOPs, the target is \(budget): lower target_ratio or widen pruned_params"])
        }
        context.log("\(name): uniform ratio \(String(format: "%.4f", r))\n")
        return target.uniform(r)
    }
}
