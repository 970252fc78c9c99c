import SlimGraph
import SlimTensor

/// Removes channels of channel groups (`ChannelGroup`): real, smaller tensors and var shapes,
/// so the pruned program runs faster. PaddleSlim 1.x's `StructurePruner` with
/// `pruning_axis: {'*': 0}` and `criterions: {'*': l1_norm}`.
///
/// The `l1_norm` criterion: channel `c` of a group scores `sum_p sum_i |W_p[c, i]|` over the
/// group's producer filters `p` (one producer: PaddleSlim's per-filter L1 norm); pruning
/// `n` channels removes the `n` lowest scores (the lower index first on ties).
public struct FilterPruner {
    public let dependency: ChannelDependency

    public init(program: Program) { dependency = ChannelDependency(program: program) }

    /// Channels removed from `channels` at `ratio` (rounded, at least one channel kept).
    public static func removed(channels: Int, ratio: Double) -> Int {
        min(max(Int((Double(channels) * ratio).rounded()), 0), channels - 1)
    }

    /// The channels of `group` to keep when removing `count`, by the L1 criterion, ascending.
    public static func keptChannels(_ group: ChannelGroup, removing count: Int, params: [String: Tensor]) -> [Int] {
        var score = [Double](repeating: 0, count: group.channels)
        for p in group.producers {
            guard let w = params[p], w.shape.first == group.channels else { continue }
            let values = w.asFloats, per = w.count / max(group.channels, 1)
            for c in 0..<group.channels { score[c] += values[c * per ..< (c + 1) * per].reduce(0) { $0 + Double(abs($1)) } }
        }
        let order = (0..<group.channels).sorted { (score[$0], $0) < (score[$1], $1) }
        return Array(order.dropFirst(count)).sorted()
    }

    /// `program` with the groups' vars and parameters resized to `kept[group.key]` channels
    /// (shapes only: for FLOPs and for rebuilding a pruned model's shapes).
    public func resized(_ program: Program, keeping kept: [String: Int]) -> Program {
        var p = program
        for g in dependency.groups {
            guard let k = kept[g.key], k != g.channels else { continue }
            for name in g.vars { p.update(name) { $0.shape[1] = k } }
            for m in g.members { p.update(m.name) { $0.shape[m.axis] = k * m.block } }
            for i in g.depthwiseOps { p.ops[i].attrs["groups"] = .int(k) }
        }
        return p
    }

    /// Prunes `program` and the tensors: each group of `kept` keeps those channels (ascending
    /// indices). `tensors` holds the parameters; `state` the optimizer state, whose entries named
    /// `<param>_...` with the parameter's unpruned shape (velocities, moments) follow it.
    public func prune(_ program: Program, keeping kept: [String: [Int]],
                      tensors: inout [String: Tensor], state: inout [String: Tensor]) -> Program {
        var params: [String: [(ChannelGroup.Member, [Int])]] = [:]
        for g in dependency.groups {
            guard let k = kept[g.key], k.count != g.channels else { continue }
            for m in g.members { params[m.name, default: []].append((m, k)) }
        }
        for (name, slices) in params {
            guard let original = tensors[name] else { continue }
            var t = original
            for (m, k) in slices { t = Self.gather(t, axis: m.axis, block: m.block, keeping: k) }
            tensors[name] = t
            for key in state.keys where key.hasPrefix(name + "_") && state[key]?.shape == original.shape {
                guard var s = state[key] else { continue }
                for (m, k) in slices { s = Self.gather(s, axis: m.axis, block: m.block, keeping: k) }
                state[key] = s
            }
        }
        return resized(program, keeping: kept.mapValues(\.count))
    }

    /// `t` keeping, along `axis`, the blocks `kept` (each `block` wide) in that order.
    static func gather(_ t: Tensor, axis: Int, block: Int, keeping kept: [Int]) -> Tensor {
        let shape = t.shape
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let span = block * inner, count = shape[axis] / block
        let values = t.asFloats
        var out: [Float] = []
        out.reserveCapacity(outer * kept.count * span)
        for o in 0..<outer {
            let base = o * count * span
            for c in kept { out += values[(base + c * span) ..< (base + (c + 1) * span)] }
        }
        var newShape = shape
        newShape[axis] = kept.count * block
        return Tensor(shape: newShape, floats: out)
    }
}
