import SlimGraph
import SlimTensor

/// The collectives of one data-parallel training step, run between the backward pass and the
/// optimizer step so that every rank applies the same update to the same weights:
///
/// - bucket "sum" (one flat f32 buffer, gradients in name order, then the loss, then the batch
///   norm running statistics): summed and divided by the ranks. Each rank's loss is the mean over
///   its `B` samples, so the mean of the ranks' gradients is the gradient of the mean over the
///   global `N x B` batch: N ranks step exactly as one process with batch `N x B` (up to float
///   summation order). Batch norm normalises with each rank's own batch statistics (`bn`); the
///   running mean and variance are averaged after every step so that every rank holds the same
///   values (the mean of the ranks' means is the global mean; the variance is the mean of the
///   ranks' variances). With `sync_bn` (`SyncBatchNorm`) they are the global batch's on every
///   rank already, and the average leaves them unchanged.
/// - bucket "max": every other float state the forward pass writes to a persistable (the
///   quantization observers: moving-average `OutAccum`/`OutState`/`OutScale`, range abs max
///   `OutScales`/`OutScale`): the element-wise maximum. The observers already take the maximum of
///   their batch's `max |x|` over the ranks in the forward (`FakeQuant.batchMaxReduction`), so
///   these are the values of one process with the global batch on every rank; the maximum
///   guarantees that every rank holds bit-identical scales whatever a state's op.
public final class GradientAllreduce {
    public let world: MPIWorld
    private var reported = false
    let log: (String) -> Void

    public init(world: MPIWorld, log: @escaping (String) -> Void) {
        self.world = world
        self.log = log
    }

    /// Averages `grads` and `loss` over the ranks and synchronises the statistics the forward pass
    /// wrote into `scope`; returns the mean loss.
    public func reduce(grads: inout [String: Tensor], loss: Double, program: Program, scope: Scope) -> Double {
        let names = grads.keys.sorted()
        let (averaged, maximised) = Self.stateVars(program, scope: scope, excluding: Set(names))
        var buffer: [Float] = []
        for name in names { buffer.append(contentsOf: grads[name]!.floats) }
        let parameters = buffer.count
        buffer.append(Float(loss))
        for name in averaged { buffer.append(contentsOf: scope.tensors[name]!.floats) }
        var maxBuffer: [Float] = maximised.flatMap { scope.tensors[$0]!.floats }
        if !reported { report(parameters: parameters, sum: buffer.count, max: maxBuffer.count) }
        world.allreduce(&buffer, .sum, what: "the gradients")
        let scale = 1 / Float(world.size)
        var offset = 0
        for name in names { grads[name] = take(&offset, from: buffer, like: grads[name]!, scale: scale) }
        let meanLoss = Double(buffer[offset]) / Double(world.size)
        offset += 1
        for name in averaged { scope.tensors[name] = take(&offset, from: buffer, like: scope.tensors[name]!, scale: scale) }
        if !maxBuffer.isEmpty {
            world.allreduce(&maxBuffer, .max, what: "the quantization scales")
            offset = 0
            for name in maximised { scope.tensors[name] = take(&offset, from: maxBuffer, like: scope.tensors[name]!, scale: 1) }
        }
        return meanLoss
    }

    private func take(_ offset: inout Int, from buffer: [Float], like tensor: Tensor, scale: Float) -> Tensor {
        let n = tensor.count
        let values = buffer[offset..<offset + n].map { $0 * scale }
        offset += n
        return Tensor(shape: tensor.shape, floats: values)
    }

    /// Logs once what every step exchanges (f32 elements).
    private func report(parameters: Int, sum: Int, max: Int) {
        reported = true
        let maxPart = max > 0 ? "; max: quantization state \(max * 4) bytes" : ""
        log("allreduce: \(parameters) parameters, \((sum + max) * 4) bytes per step in \(max > 0 ? 2 : 1) bucket\(max > 0 ? "s" : "") "
            + "(sum: gradients, loss and batch norm statistics \(sum * 4) bytes\(maxPart)) over \(world.size) ranks\n")
    }

    /// The f32 persistables the program's ops write (other than `excluding`, the trained
    /// parameters): batch norm's running statistics (averaged) and every other state (maximised).
    static func stateVars(_ program: Program, scope: Scope, excluding: Set<String>) -> (averaged: [String], maximised: [String]) {
        var averaged = Set<String>(), maximised = Set<String>()
        for op in program.ops {
            for (_, outs) in op.outputs {
                for name in outs where !excluding.contains(name) && program.variable(name)?.persistable == true
                    && scope.tensors[name]?.dtype == .f32 {
                    if op.type == "batch_norm" { averaged.insert(name) } else { maximised.insert(name) }
                }
            }
        }
        return (averaged.sorted(), maximised.subtracting(averaged).sorted())
    }
}
