import SlimGraph
import SlimTensor

/// An evaluation pass whose metric is not a sum of per-sample terms (a detector's mAP) shared by
/// the ranks of an `mpirun` run: rank `r` of `N` runs the model on batches `r, r + N, ...` of
/// the ordered pass, and after each round of `N` batches every rank receives every batch's
/// outputs, so each updates the metric with every batch in data order: the result is one
/// process's, on every rank. Every rank reads every batch (the metric needs its ground truth);
/// the model runs once per batch over all ranks.
///
/// The outputs are exchanged as f32 (a detector's NMS rows, and its per-image row counts, which
/// the metric reads as numbers): per round one f64 allreduce of the shapes (each rank fills its
/// own batches' entries, zeros elsewhere) and one f32 allreduce of the values laid out the same
/// way, exact since every element is `x + 0 + ...`.
struct GatheredEvaluation {
    let world: MPIWorld?
    let shard: DataShard
    let fetches: [String]
    /// Dimensions recorded per output (more are refused).
    static let maxRank = 4

    /// The pass of this process: shared with the ranks under `mpirun`, else every batch here.
    init(fetches: [String]) throws {
        world = try MPIWorld.shared()
        shard = world.map { DataShard(rank: $0.rank, count: $0.size) } ?? .whole
        self.fetches = fetches
    }

    /// Calls `infer` on this rank's batches and `body` with every batch and its outputs, in data
    /// order; returns the number of batches `infer` ran on.
    @discardableResult
    func run(_ batches: inout EvalBatches, infer: (Batch) throws -> [String: Tensor],
             body: (Batch, [String: Tensor]) throws -> Void) throws -> Int {
        var ran = 0
        while !batches.isFinished {
            var round: [Batch] = [], own: [Int: [String: Tensor]] = [:]
            for slot in 0..<shard.count {
                guard let batch = try batches.next() else { break }
                if slot == shard.rank { own[slot] = try infer(batch) }
                round.append(batch)
            }
            ran += own.count
            let outputs = try gather(own, slots: shard.count)
            for (slot, batch) in round.enumerated() { try body(batch, outputs[slot]) }
        }
        return ran
    }

    /// Every slot's outputs from the slots each rank filled.
    private func gather(_ own: [Int: [String: Tensor]], slots: Int) throws -> [[String: Tensor]] {
        guard let world, shard.count > 1 else { return (0..<slots).map { own[$0] ?? [:] } }
        let width = Self.maxRank + 1
        var shapes = [Double](repeating: 0, count: slots * fetches.count * width)
        for (slot, outputs) in own {
            for (f, name) in fetches.enumerated() {
                guard let t = outputs[name] else { throw GraphError("the evaluation fetch '\(name)' was not computed") }
                guard t.shape.count <= Self.maxRank else { throw GraphError("the evaluation fetch '\(name)' has rank \(t.shape.count) > \(Self.maxRank)") }
                let at = (slot * fetches.count + f) * width
                shapes[at] = Double(t.shape.count) + 1
                for (d, n) in t.shape.enumerated() { shapes[at + 1 + d] = Double(n) }
            }
        }
        world.allreduce(&shapes, .sum, what: "the evaluation output shapes")
        let shapeOf: (Int) -> [Int] = { at in (0..<max(0, Int(shapes[at]) - 1)).map { Int(shapes[at + 1 + $0]) } }
        var offsets: [Int] = [], total = 0
        for entry in 0..<slots * fetches.count {
            offsets.append(total)
            total += shapeOf(entry * width).reduce(1, *) * (shapes[entry * width] > 0 ? 1 : 0)
        }
        var values = [Float](repeating: 0, count: total)
        for (slot, outputs) in own {
            for (f, name) in fetches.enumerated() {
                guard let t = outputs[name] else { continue }
                let at = offsets[slot * fetches.count + f]
                for (i, v) in t.asFloats.enumerated() { values[at + i] = v }
            }
        }
        world.allreduce(&values, .sum, what: "the evaluation outputs")
        return (0..<slots).map { slot in
            var outputs: [String: Tensor] = [:]
            for (f, name) in fetches.enumerated() where shapes[(slot * fetches.count + f) * width] > 0 {
                let entry = slot * fetches.count + f, shape = shapeOf(entry * width), n = shape.reduce(1, *)
                outputs[name] = Tensor(shape: shape, floats: Array(values[offsets[entry]..<offsets[entry] + n]))
            }
            return outputs
        }
    }
}
