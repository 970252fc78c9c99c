import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import SlimTrain

/// PaddleSlim 1.x's filter pruning strategies (the base of `UniformPruneStrategy` and
/// `SensitivePruneStrategy`): at the beginning of `start_epoch` it chooses a pruning ratio per
/// matched conv (`ratios`, the subclass's choice) removing `target_ratio` of the original
/// model's FLOPs, removes those filters by L1 norm (`FilterPruner`: real, smaller tensors; batch
/// norms, the next layers, depthwise convs, residual groups and fc inputs follow) and fine-tunes
/// from there. The optimizer state follows the pruned shapes.
///
/// With `num_steps` N > 1 (`SensitivePruneStrategy`) the FLOPs go in N steps, each removing
/// `pruning_step = 1 - (1 - target_ratio)^(1/N)` of the current (already pruned) model's FLOPs,
/// so that N steps remove `target_ratio` of the original's; the last step's budget is exactly
/// `(1 - target_ratio)` of the original FLOPs, and no step's budget is below it. Step 1 runs at
/// the beginning of `start_epoch`. Step k > 1 runs at the beginning of the first later epoch
/// whose evaluations have converged (`converged`): the last two evaluations made since the
/// previous step (at the end of that step's epoch or later; `eval_epoch` decides which epochs
/// evaluate) differ in `metric_name` by less than 0.001 relative to the earlier one,
/// `|m1 - m0| / |m0| < 0.001` (PaddleSlim's `context.eval_converged(metric_name, 0.001)`; equal
/// values always count). Unlike PaddleSlim 1.x, an evaluation made before a step is never
/// compared with one made after it. Steps left when the last epoch ends are not done (logged).
///
/// A checkpoint records the channels kept per group, the steps done and the epoch of the latest
/// step; a resumed run rebuilds those shapes before loading the checkpoint's values, and its
/// FLOPs baseline stays the unpruned model's. An `init_model` (or `pretrain_weights`) whose filters
/// are fewer than the model's is a pruned model: its shapes are rebuilt before it loads, and the
/// strategy prunes further only while the FLOPs are above the target.
public class PruneStrategy: Strategy {
    public let name: String
    public let config: PruneStrategyConfig
    /// Channels kept per group (by key) once pruned.
    private(set) var kept: [String: Int]?
    private var originalFlops: Int?
    /// Pruning steps done (a step that found the FLOPs at the target already counts, as do the
    /// steps it made unnecessary).
    private(set) var stepsDone = 0
    /// The epoch at whose beginning the latest step ran.
    private(set) var lastStepEpoch: Int?

    /// The relative change of `metric_name` between two evaluations under which training has
    /// converged (the delta PaddleSlim 1.x's `SensitivePruneStrategy` passes to `eval_converged`).
    static let convergenceDelta = 0.001

    public init(name: String, config: PruneStrategyConfig) {
        self.name = name
        self.config = config
    }

    /// Per-group pruning ratios (by group key) that leave at most `budget` FLOPs. Called with
    /// `stepsDone` the number of steps before this one.
    func ratios(_ target: PruneTarget, budget: Int, context: CompressionContext) throws -> [String: Double] {
        preconditionFailure("PruneStrategy subclasses choose the ratios")
    }

    public var fingerprint: String {
        "\(config.kind.rawValue)(pruned_params \(config.prunedParams), target_ratio \(config.targetRatio), start_epoch \(config.startEpoch)"
            + (config.numSteps == 1 ? "" : ", num_steps \(config.numSteps)") + (config.roundTo > 1 ? ", round_to \(config.roundTo)" : "") + ")"
    }

    public func record() -> [String: String] {
        var record = ["steps": String(stepsDone)]
        if let lastStepEpoch { record["step_epoch"] = String(lastStepEpoch) }
        if let kept, let data = try? JSONEncoder.sorted.encode(kept), let text = String(data: data, encoding: .utf8) {
            record["kept_channels"] = text
        }
        return record
    }

    public func restore(_ record: [String: String], context: CompressionContext) throws {
        try baseline(context)
        if let text = record["steps"] {
            guard let n = Int(text), (0...config.numSteps).contains(n) else {
                throw GraphError("\(name): the checkpoint records \(text) pruning steps done, num_steps is \(config.numSteps)")
            }
            stepsDone = n
        } else {
            stepsDone = context.epoch >= config.startEpoch ? 1 : 0   // a record of before num_steps: one step at start_epoch
        }
        lastStepEpoch = record["step_epoch"].flatMap { Int($0) } ?? (stepsDone > 0 ? config.startEpoch : nil)
        guard let text = record["kept_channels"] else { return }
        let counts = try JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
        try rebuild(counts, context: context)
    }

    public func onInitModel(path: String, context: CompressionContext) throws {
        try baseline(context)
        let (_, params) = try ModelFile.load(from: path)
        let pruner = FilterPruner(program: context.session.program)
        var counts: [String: Int] = [:]
        for g in pruner.dependency.groups where g.isPrunable {
            if let k = g.producers.compactMap({ params[$0]?.shape.first }).first, k < g.channels { counts[g.key] = k }
        }
        guard !counts.isEmpty else { return }
        try rebuild(counts, context: context)
        context.log("\(name): \(path) is pruned: rebuilt the shapes of \(counts.count) channel groups (FLOPs \(try currentFlops(context)))\n")
    }

    public func onEpochBegin(_ context: CompressionContext) throws {
        guard stepsDone < config.numSteps else { return }
        if stepsDone == 0 {
            guard context.epoch == config.startEpoch else { return }
        } else {
            guard let (a, b) = try convergedEvaluations(context) else { return }
            context.log("\(name): \(config.metricName) converged (\(Self.format(a.value)) at epoch \(a.epoch), \(Self.format(b.value)) at epoch \(b.epoch)): "
                        + "pruning step \(stepsDone + 1)/\(config.numSteps)\n")
        }
        try step(context)
    }

    public func onCompressionEnd(_ context: CompressionContext) throws {
        guard stepsDone > 0, stepsDone < config.numSteps else { return }
        context.log("\(name): \(config.numSteps - stepsDone) of \(config.numSteps) pruning steps not done: \(config.metricName) did not converge "
                    + "(relative change < \(Self.convergenceDelta) between two evaluations after step \(stepsDone)) before the last epoch\n")
    }

    /// The last two evaluations since the latest step, (epoch, `metric_name`) each, when they
    /// differ by less than `convergenceDelta` relative to the earlier one; nil otherwise or when
    /// fewer than two evaluations were made since.
    func convergedEvaluations(_ context: CompressionContext) throws -> (Eval, Eval)? {
        let since = lastStepEpoch ?? config.startEpoch
        let evals = try context.evalHistory.filter { $0.key >= since && $0.key < context.epoch }.sorted { $0.key < $1.key }
            .suffix(2).map { Eval(epoch: $0.key, value: try metric(of: $0.value)) }
        guard evals.count == 2 else { return nil }
        let (m0, m1) = (evals[0].value, evals[1].value)
        let converged = m0 == m1 || (m0 != 0 && abs(m1 - m0) / abs(m0) < Self.convergenceDelta)
        return converged ? (evals[0], evals[1]) : nil
    }

    struct Eval: Equatable {
        var epoch: Int
        var value: Double
    }

    /// One pruning step at the current epoch.
    private func step(_ context: CompressionContext) throws {
        let original = try baseline(context)
        let session = context.session
        let target = try PruneTarget(program: session.program, interface: session.interface, pattern: config.prunedParams,
                                     roundTo: config.roundTo)
        let steps = config.numSteps, k = stepsDone + 1
        let final = Int((Double(original) * (1 - config.targetRatio)).rounded(.down))
        let before = try target.flops()
        let perStep = pow(1 - config.targetRatio, 1 / Double(steps))   // 1 - pruning_step
        let budget = k == steps ? final : max(final, Int((Double(before) * perStep).rounded(.down)))
        guard before > final else {
            context.log("\(name): FLOPs \(before) already at most \(final) (target_ratio \(config.targetRatio)): nothing pruned"
                        + (steps == 1 ? "" : " (step \(k)/\(steps); no further steps)") + "\n")
            (stepsDone, lastStepEpoch) = (steps, context.epoch)
            return
        }
        let ratios = try ratios(target, budget: budget, context: context)
        let counts = target.kept(ratios: ratios)
        var selection: [String: [Int]] = [:]
        for g in target.groups {
            guard let k = counts[g.key] else { continue }
            selection[g.key] = FilterPruner.keptChannels(g, removing: g.channels - k, params: session.scope.tensors)
        }
        try apply(selection, pruner: target.pruner, context: context)
        (stepsDone, lastStepEpoch) = (k, context.epoch)
        let after = try currentFlops(context)
        if steps == 1 {
            context.log("\(name): pruned FLOPs: \(original) -> \(after) (-\(Self.percent(original - after, of: original))%)\n")
        } else {
            context.log("\(name): pruned FLOPs: \(before) -> \(after) (-\(Self.percent(before - after, of: before))%), step \(k)/\(steps) at epoch \(context.epoch); "
                        + "original \(original) -> \(after) (-\(Self.percent(original - after, of: original))%)\n")
        }
        let rounding = config.roundTo > 1 ? ", rounded to a multiple of \(config.roundTo)" : ""
        for g in target.groups {
            context.log("  \(g.producers.joined(separator: " + ")): \(g.channels) -> \(counts[g.key] ?? g.channels) channels (ratio \(String(format: "%.3f", ratios[g.key] ?? 0))\(rounding))\n")
        }
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        String(format: "%.1f", 100 * Double(part) / Double(max(whole, 1)))
    }

    private static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// `metric_name`'s value (acc_top1 -> top1, acc_top5 -> top5, otherwise the result's own name).
    func metric(of result: EvalResult) throws -> Double {
        let key = ["acc_top1": "top1", "acc_top5": "top5"][config.metricName] ?? config.metricName
        guard let v = result[key] else {
            throw GraphError("\(name): metric_name '\(config.metricName)' is not measured by this model",
                             hints: ["it measures " + result.values.map(\.name).joined(separator: ", ")])
        }
        return v
    }

    /// The original (unpruned) model's FLOPs, computed on first use.
    @discardableResult
    private func baseline(_ context: CompressionContext) throws -> Int {
        if let originalFlops { return originalFlops }
        let f = try currentFlops(context)
        originalFlops = f
        return f
    }

    func currentFlops(_ context: CompressionContext) throws -> Int {
        let s = context.session
        return FlopsCounter(program: try s.program.pruned(feeds: s.interface.inferenceFeeds, fetches: s.interface.outputVars)).totalFlops
    }

    /// Prunes to `counts` channels per group keeping the first channels: the shapes of a pruned
    /// model whose values load next.
    private func rebuild(_ counts: [String: Int], context: CompressionContext) throws {
        let pruner = FilterPruner(program: context.session.program)
        var selection: [String: [Int]] = [:]
        for g in pruner.dependency.groups {
            guard let k = counts[g.key], k <= g.channels, k > 0 else { continue }
            selection[g.key] = Array(0..<k)
        }
        try apply(selection, pruner: pruner, context: context)
    }

    private func apply(_ selection: [String: [Int]], pruner: FilterPruner, context: CompressionContext) throws {
        let session = context.session
        var tensors = session.scope.tensors, state = session.optimizerState
        let program = pruner.prune(session.program, keeping: selection, tensors: &tensors, state: &state)
        try program.verify()
        session.scope.tensors = tensors
        session.optimizerState = state
        try session.setProgram(program)
        var all = kept ?? [:]
        for (k, v) in selection { all[k] = v.count }
        kept = all
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
