import SlimGraph
import SlimTrain

/// The conv groups a pruning strategy acts on and the FLOPs of a candidate pruning: what the
/// uniform and sensitive strategies share.
struct PruneTarget {
    let program: Program
    let interface: ModelInterface
    let pruner: FilterPruner
    /// The prunable groups with a producer filter matching `pruned_params`, in program order.
    let groups: [ChannelGroup]
    /// Kept channel counts are multiples of this (`round_to`).
    let roundTo: Int

    /// - Throws: `GraphError` when no conv filter matches `pattern`, or a matching filter's
    ///   channels cannot be pruned (with the reason, e.g. a reshape reads them).
    init(program: Program, interface: ModelInterface, pattern: String, roundTo: Int = 1) throws {
        self.program = program
        self.interface = interface
        self.roundTo = max(roundTo, 1)
        pruner = FilterPruner(program: program)
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw GraphError("pruned_params '\(pattern)' is not a valid regular expression") }
        var matched: [ChannelGroup] = []
        for g in pruner.dependency.groups {
            let hits = g.producers.filter { (try? regex.wholeMatch(in: $0)) != nil }
            guard let first = hits.first else { continue }
            if let why = g.unsupported {
                throw GraphError("'\(first)' matches pruned_params but its output channels cannot be pruned: \(why)",
                                 hints: ["narrow pruned_params to filters whose outputs feed only convs, batch norms, activations, pools, residual adds, channel concats and fc layers"])
            }
            matched.append(g)
        }
        guard !matched.isEmpty else {
            let filters = pruner.dependency.groups.flatMap(\.producers)
            throw GraphError("pruned_params '\(pattern)' matches no conv filter of the model",
                             hints: ["conv filters: " + filters.prefix(8).joined(separator: ", ") + (filters.count > 8 ? ", ..." : "")])
        }
        groups = matched
    }

    /// The inference program's multiply-adds (`FlopsCounter`) with the groups keeping `kept` channels.
    func flops(keeping kept: [String: Int] = [:]) throws -> Int {
        let resized = pruner.resized(program, keeping: kept)
        return FlopsCounter(program: try resized.pruned(feeds: interface.inferenceFeeds, fetches: interface.outputVars)).totalFlops
    }

    /// The same pruning ratio `r` for every group (`UniformPruneStrategy`).
    func uniform(_ r: Double) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: groups.map { ($0.key, r) })
    }

    /// The channels each group keeps when pruned by `ratios[group.key]` (missing: 0), rounded
    /// to the nearest multiple of `roundTo` (at least `roundTo`, at most the group's channels).
    func kept(ratios: [String: Double]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: groups.map { g in
            (g.key, Self.rounded(g.channels - FilterPruner.removed(channels: g.channels, ratio: ratios[g.key] ?? 0),
                                 to: roundTo, channels: g.channels))
        })
    }

    /// `kept` rounded to the nearest multiple of `multiple` within `multiple...channels`
    /// (`channels` itself when it is at most `multiple`).
    static func rounded(_ kept: Int, to multiple: Int, channels: Int) -> Int {
        guard multiple > 1 else { return kept }
        guard channels > multiple else { return channels }
        let r = Int((Double(kept) / Double(multiple)).rounded()) * multiple
        return min(max(r, multiple), channels)
    }

    /// The smallest value in `0...upper` whose pruning (`ratios(value)`) leaves at most `budget`
    /// FLOPs, by bisection (FLOPs fall as the value grows); nil when even `upper` leaves more.
    func bisect(budget: Int, upper: Double, ratios: (Double) -> [String: Double]) throws -> Double? {
        guard try flops(keeping: kept(ratios: ratios(upper))) <= budget else { return nil }
        var (lo, hi) = (0.0, upper)
        for _ in 0..<50 {
            let mid = (lo + hi) / 2
            if try flops(keeping: kept(ratios: ratios(mid))) <= budget { hi = mid } else { lo = mid }
        }
        return hi
    }
}
