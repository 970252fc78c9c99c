import SlimConfig
import SlimGraph
import SlimQuant

extension TrainingSession {
    /// Under `mpirun`, makes the session data-parallel: its steps average gradients over the
    /// ranks (`GradientAllreduce`), and the training observers of activation quantization
    /// (moving-average and range abs max) take the maximum of their batch's `max |x|` over the
    /// ranks, so that each rank quantizes with the scale of the global batch. Nothing changes
    /// outside `mpirun`.
    /// With a `norm_type: sync_bn` anywhere in the model YAML every batch norm normalises in
    /// training with the global batch's statistics (`SyncBatchNorm`); with `bn` with its rank's.
    /// - Throws: `DistributedError` when OpenMPI cannot start.
    public func distribute(config: ModelConfig, log: @escaping (String) -> Void) throws {
        guard let world = try MPIWorld.shared() else { return }
        if Self.syncBatchNorm(config.root) != nil {
            SyncBatchNorm.reduction = { world.allreduce(&$0, .sum, what: "a synchronized batch norm's sums") }
        }
        gradientAllreduce = GradientAllreduce(world: world, log: log)
        FakeQuant.batchMaxReduction = { value in
            var values = [value]
            world.allreduce(&values, .max, what: "an activation's batch maximum")
            return values[0]
        }
    }

    /// The first `norm_type: sync_bn` value in `node`, depth first.
    static func syncBatchNorm(_ node: Node) -> Node? {
        for entry in node.entries ?? [] {
            if entry.key.text == "norm_type", entry.value.text == "sync_bn" { return entry.value }
            if let found = syncBatchNorm(entry.value) { return found }
        }
        for item in node.items ?? [] {
            if let found = syncBatchNorm(item) { return found }
        }
        return nil
    }
}
