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
/// A checkpoint records the channels kept per group; a resumed run rebuilds those shapes before
/// loading the checkpoint's values. An `init_model` (or `pretrain_weights`) whose filters are
/// fewer than the model's is a pruned model: its shapes are rebuilt before it loads, and the
/// strategy prunes further only when the FLOPs are above the target.
public class PruneStrategy: Strategy {
    public let name: String
    public let config: PruneStrategyConfig
    /// Channels kept per group (by key) once pruned.
    private(set) var kept: [String: Int]?
    private var originalFlops: Int?

    public init(name: String, config: PruneStrategyConfig) {
        self.name = name
        self.config = config
    }

    /// Per-group pruning ratios (by group key) that leave at most `budget` FLOPs.
    func ratios(_ target: PruneTarget, budget: Int, context: CompressionContext) throws -> [String: Double] {
        preconditionFailure("PruneStrategy subclasses choose the ratios")
    }

    public var fingerprint: String {
        "\(config.kind.rawValue)(pruned_params \(config.prunedParams), target_ratio \(config.targetRatio), start_epoch \(config.startEpoch)\(config.roundTo > 1 ? ", round_to \(config.roundTo)" : ""))"
    }

    public func record() -> [String: String] {
        guard let kept, let data = try? JSONEncoder.sorted.encode(kept), let text = String(data: data, encoding: .utf8) else { return [:] }
        return ["kept_channels": text]
    }

    public func restore(_ record: [String: String], context: CompressionContext) throws {
        try baseline(context)
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
        guard context.epoch == config.startEpoch else { return }
        let original = try baseline(context)
        let session = context.session
        let target = try PruneTarget(program: session.program, interface: session.interface, pattern: config.prunedParams,
                                     roundTo: config.roundTo)
        let budget = Int((Double(original) * (1 - config.targetRatio)).rounded(.down))
        let before = try target.flops()
        guard before > budget else {
            context.log("\(name): FLOPs \(before) already at most \(budget) (target_ratio \(config.targetRatio)): nothing pruned\n")
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
        let after = try currentFlops(context)
        context.log("\(name): pruned FLOPs: \(original) -> \(after) (-\(String(format: "%.1f", 100 * Double(original - after) / Double(max(original, 1))))%)\n")
        let rounding = config.roundTo > 1 ? ", rounded to a multiple of \(config.roundTo)" : ""
        for g in target.groups {
            context.log("  \(g.producers.joined(separator: " + ")): \(g.channels) -> \(counts[g.key] ?? g.channels) channels (ratio \(String(format: "%.3f", ratios[g.key] ?? 0))\(rounding))\n")
        }
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
