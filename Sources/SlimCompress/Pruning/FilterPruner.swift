import SlimGraph
import SlimTensor

/// Removes channels of channel groups (`ChannelGroup`): real, smaller tensors and var shapes,
/// so the pruned program runs faster. PaddleSlim 1.x's `StructurePruner` with
/// `pruning_axis: {'*': 0}` and `criterions: {'*': l1_norm}`.
///
/// The `l1_norm` criterion: channel `c` of a group scores `sum_p sum_i |W_p[c, i]|` over the
/// group's producer filters `p` (one producer: PaddleSlim's per-filter L1 norm); pruning
/// `n` channels removes the `n` lowest scores (the lower index first on ties).
///
/// Each group is pruned on its own: a concat of several groups loses, in what reads it, each
/// input group's removed channels at that input's offset.
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
    /// (shapes only: for FLOPs and for rebuilding a pruned model's shapes). A concat output, and
    /// a member read through one, loses each of its input groups' removed channels.
    public func resized(_ program: Program, keeping kept: [String: Int]) -> Program {
        var p = program
        for g in dependency.groups {
            guard let k = kept[g.key], k != g.channels else { continue }
            let removed = g.channels - k
            for name in g.vars { p.update(name) { $0.shape[1] = k } }
            for v in g.concatVars { p.update(v.name) { $0.shape[1] -= removed } }
            for m in g.members { p.update(m.name) { $0.shape[m.axis] -= removed * m.block } }
            for i in g.depthwiseOps { p.ops[i].attrs["groups"] = .int(p.ops[i].int("groups", default: g.channels) - removed) }
        }
        return p
    }

    /// Prunes `program` and the tensors: each group of `kept` keeps those channels (ascending
    /// indices). `tensors` holds the parameters; `state` the optimizer state, whose entries named
    /// `<param>_...` with the parameter's unpruned shape (velocities, moments) follow it.
    public func prune(_ program: Program, keeping kept: [String: [Int]],
                      tensors: inout [String: Tensor], state: inout [String: Tensor]) -> Program {
        var params: [String: [Slice]] = [:]
        for g in dependency.groups {
            guard let k = kept[g.key], k.count != g.channels else { continue }
            for m in g.members { params[m.name, default: []].append(Slice(member: m, channels: g.channels, kept: k)) }
        }
        for (name, slices) in params {
            guard let original = tensors[name] else { continue }
            tensors[name] = Self.gather(original, slices)
            for key in state.keys where key.hasPrefix(name + "_") && state[key]?.shape == original.shape {
                guard let s = state[key] else { continue }
                state[key] = Self.gather(s, slices)
            }
        }
        return resized(program, keeping: kept.mapValues(\.count))
    }

    /// What one group keeps of one member: `kept` of its `channels`.
    struct Slice {
        var member: ChannelGroup.Member
        var channels: Int
        var kept: [Int]
    }

    /// `t` without the channels the slices remove, axis by axis: along a member's axis, the
    /// blocks of its group's removed channels (at its offset) go; the rest (other groups'
    /// channels of a concat, unprunable inputs) stays in order.
    static func gather(_ t: Tensor, _ slices: [Slice]) -> Tensor {
        var t = t
        for axis in Set(slices.map(\.member.axis)).sorted() where axis < t.shape.count {
            var keep = [Bool](repeating: true, count: t.shape[axis])
            for s in slices where s.member.axis == axis {
                let m = s.member, kept = Set(s.kept)
                guard m.offset >= 0, m.offset + s.channels * m.block <= keep.count else { continue }
                for c in 0..<s.channels where !kept.contains(c) {
                    for j in (m.offset + c * m.block) ..< (m.offset + (c + 1) * m.block) { keep[j] = false }
                }
            }
            t = gather(t, axis: axis, block: 1, keeping: keep.indices.filter { keep[$0] })
        }
        return t
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
