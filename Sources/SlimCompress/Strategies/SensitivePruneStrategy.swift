import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import SlimTrain

/// PaddleSlim 1.x's `SensitivePruneStrategy`: for each matched conv and each ratio
/// `delta_rate, 2 * delta_rate, ...` (below 1) it prunes that conv alone and measures the
/// relative loss of `metric_name` on the first `eval_rate` of the eval set (`Sensitivities`,
/// reused from and saved to `sensitivities_file`). Then it bisects on a loss threshold `t`:
/// each conv is pruned by the largest ratio whose interpolated loss is at most `t`, and the
/// smallest `t` whose pruning removes the step's share of the FLOPs wins. Sensitive convs keep
/// more filters, tolerant ones fewer, for the least estimated loss.
///
/// With `num_steps` N > 1 the pruning goes in N steps (`PruneStrategy`: step 1 at `start_epoch`,
/// each later one at the beginning of an epoch once the evaluations of `metric_name` since the
/// previous step have converged), each removing `1 - (1 - target_ratio)^(1/N)` of the current
/// FLOPs. Every step measures the sensitivities again, of the model as pruned so far: step 1's
/// table is `sensitivities_file`, a later step's at epoch E is `<sensitivities_file>.epoch<E>`
/// (PaddleSlim's names), each reused when it has every filter at this `delta_rate`.
public final class SensitivePruneStrategy: PruneStrategy {
    override func ratios(_ target: PruneTarget, budget: Int, context: CompressionContext) throws -> [String: Double] {
        let table = try sensitivities(target, context: context)
        let curves = target.groups.compactMap { g in table.curves[g.key].map { (g.key, $0) } }
        let upper = (curves.flatMap(\.1.losses).max() ?? 0) + 1
        let choose = { (t: Double) in Dictionary(uniqueKeysWithValues: curves.map { ($0.0, $0.1.ratio(atLoss: t)) }) }
        guard let t = try target.bisect(budget: budget, upper: upper, ratios: choose) else {
            throw GraphError("\(name): target_ratio \(config.targetRatio) cannot be reached with the measured ratios (up to \(Sensitivities.ratios(delta: config.deltaRate).last ?? 0))"
                             + (config.numSteps == 1 ? "" : " at step \(stepsDone + 1)/\(config.numSteps)"),
                             hints: ["lower target_ratio, lower delta_rate, or widen pruned_params"])
        }
        context.log("\(name): loss threshold \(String(format: "%.4f", t))\n")
        return choose(t)
    }

    /// The sensitivities file of the step about to run at `epoch`: `sensitivities_file` for the
    /// first step, `<sensitivities_file>.epoch<epoch>` for a later one; nil without one.
    func sensitivitiesFile(epoch: Int) -> String? {
        guard let file = config.sensitivitiesFile else { return nil }
        return stepsDone == 0 ? file : "\(file).epoch\(epoch)"
    }

    /// The sensitivities of the target's groups: read from the step's sensitivities file when it
    /// has them all at this `delta_rate`, else measured (the missing ones) and saved there.
    private func sensitivities(_ target: PruneTarget, context: CompressionContext) throws -> Sensitivities {
        let ratios = Sensitivities.ratios(delta: config.deltaRate)
        let file = sensitivitiesFile(epoch: context.epoch)
        var table = try file.flatMap { try Sensitivities.read($0) } ?? Sensitivities()
        let missing = target.groups.filter { table.curves[$0.key]?.ratios != ratios }
        guard !missing.isEmpty else {
            context.log("\(name): sensitivities of \(target.groups.count) filters read from \(file ?? "")\n")
            return table
        }
        let reader = subset(context.eval)
        let base = try metric(of: try context.session.evaluate(reader))
        context.log("\(name): measuring \(missing.count) filters x \(ratios.count) ratios on \(reader.dataset.count) eval samples (\(config.metricName) \(base))\n")
        for g in missing {
            var losses: [Double] = []
            for r in ratios {
                let k = FilterPruner.keptChannels(g, removing: FilterPruner.removed(channels: g.channels, ratio: r), params: context.session.scope.tensors)
                let value = try evaluate(pruning: g, keeping: k, target: target, reader: reader, context: context)
                losses.append(base == 0 ? 0 : (base - value) / base)
            }
            table.curves[g.key] = .init(ratios: ratios, losses: losses)
            context.log("  \(g.key): " + zip(ratios, losses).map { String(format: "%.2f:%.4f", $0, $1) }.joined(separator: " ") + "\n")
            if let file { try table.write(file) }
        }
        return table
    }

    /// The metric of the model with only `group` pruned to `kept`, on `reader`.
    private func evaluate(pruning group: ChannelGroup, keeping kept: [Int], target: PruneTarget, reader: ReaderSpec,
                          context: CompressionContext) throws -> Double {
        let session = context.session
        var tensors = session.scope.tensors, state: [String: Tensor] = [:]
        let program = target.pruner.prune(session.program, keeping: [group.key: kept], tensors: &tensors, state: &state)
        let executor = try Executor(program: program)
        let evaluator = try session.interface.evaluator(executor, kind: session.metricKind, mapType: session.mapType)
        return try metric(of: try evaluator.evaluate(reader, scope: Scope(tensors)))
    }

    /// The eval reader on its first `eval_rate` samples (at least one).
    private func subset(_ reader: ReaderSpec) -> ReaderSpec {
        var r = reader
        r.dataset = PrefixDataset(base: reader.dataset, count: max(1, Int((Double(reader.dataset.count) * config.evalRate).rounded())))
        return r
    }
}
