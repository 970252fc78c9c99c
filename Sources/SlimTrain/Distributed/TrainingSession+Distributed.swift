import SlimConfig
import SlimQuant

extension TrainingSession {
    /// Under `mpirun`, makes the session data-parallel: its steps average gradients over the
    /// ranks (`GradientAllreduce`), and the training observers of activation quantization
    /// (moving-average and range abs max) take the maximum of their batch's `max |x|` over the
    /// ranks, so that each rank quantizes with the scale of the global batch. Nothing changes
    /// outside `mpirun`.
    /// - Throws: `ConfigError` at a `norm_type: sync_bn` (batch norm statistics are per rank,
    ///   PaddleDetection's `bn`), `DistributedError` when OpenMPI cannot start.
    public func distribute(config: ModelConfig, log: @escaping (String) -> Void) throws {
        guard let world = try MPIWorld.shared() else { return }
        if let node = Self.syncBatchNorm(config.root) {
            throw ConfigError("norm_type: sync_bn is not supported by a data-parallel (mpirun) run: "
                              + "batch norm normalises with each rank's statistics", at: node.mark,
                              notes: ["set norm_type: bn (the running statistics are averaged over the ranks after every step)"])
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
