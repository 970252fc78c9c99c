import Foundation

/// slim's compute kernels: oneDNN primitives on plain row-major f32 tensors, cached per
/// (op, shapes, attributes, prop kind). See docs/KERNEL_API.md for the contract.
public enum Kernels {
    /// The most threads `setThreads` accepts from a user (`--threads`, the YAML's `threads`):
    /// far above any core count, far below what would exhaust the process's threads.
    public static let threadLimit = 1024

    /// Sets the OpenMP thread count oneDNN uses from now on (0 keeps OMP_NUM_THREADS / all cores;
    /// counts above `threadLimit` are clamped to it). Call it from the thread that calls oneDNN.
    public static func setThreads(_ n: Int) {
        OpenMPThreads.set(min(n, threadLimit))
    }

    /// Frees the buffers `BufferPool` keeps for reuse (none in use is touched): after a run of
    /// sizes that will not come again, so the next sizes are not allocated on top of them.
    public static func freePooledBuffers() { BufferPool.shared.drain() }

    /// The OpenMP runtime's current maximum thread count (nil without an OpenMP runtime).
    public static var threads: Int? { OpenMPThreads.maxThreads }

    /// The instruction set oneDNN runs on this host (`cpu_isa_avx2`, `cpu_isa_avx512_core_vnni`, ...;
    /// `ONEDNN_MAX_CPU_ISA` lowers it): it picks layouts (8- or 16-channel blocks) and the int8 path.
    public static var isaName: String { DNNL.isaName }

    /// Runs a prepared primitive on tensors: inputs read, outputs written in place.
    ///
    /// An input held in a layout the primitive does not take is converted (`usable`). Outputs
    /// are plain or in the layout the primitive chose for them (`PreparedPrimitive.layout`).
    static func run(_ p: PreparedPrimitive, inputs: [Int32: Tensor], outputs: inout [Int32: Tensor], extra: [(Int32, Memory)] = []) {
        var arguments = [Int32: PreparedPrimitive.Argument](minimumCapacity: inputs.count + outputs.count)
        var used: [Tensor] = []
        used.reserveCapacity(inputs.count)
        for (arg, t) in inputs {
            let given = p.slots[arg].map { usable(t, for: $0) } ?? t.plain()
            used.append(given)
            arguments[arg] = .init(pointer: given.buffer.pointer, isPlain: given.layout == nil)
        }
        for arg in Array(outputs.keys) {
            precondition(p.accepts(arg, outputs[arg]!.layout), "output \(arg) is in a layout the primitive does not write")
            outputs[arg]!.makeBufferUnique()   // oneDNN writes it
            arguments[arg] = .init(pointer: outputs[arg]!.buffer.pointer, isPlain: outputs[arg]!.layout == nil)
        }
        withExtendedLifetime(used) { p.run(arguments, extra: extra) }
    }

    /// `t` as a primitive takes it for `slot`: as it is, converted straight into the slot's layout
    /// (another layout of the same dims and type: one reorder), or plain.
    static func usable(_ t: Tensor, for slot: PreparedPrimitive.Slot) -> Tensor {
        if slot.accepts(t.layout) { return t }
        if let own = slot.layout, let current = t.layout, current.sameElements(as: own) { return converted(t, to: own) }
        return t.plain()
    }

    /// An uninitialised output for `arg` of `p`: in the layout the primitive chose for it.
    /// `writesPadding`: the primitive writes the padded elements of a padded layout too (oneDNN's jit
    /// convolutions compute whole channel blocks with zero-padded weights, jit eltwise runs over the
    /// padded element count), so the buffer need not start zero-filled (LayoutTests checks it).
    static func output(_ p: PreparedPrimitive, _ arg: Int32, shape: [Int], dtype: DType = .f32, writesPadding: Bool = false) -> Tensor {
        Tensor(uninitializedShape: shape, dtype: dtype, layout: p.layout(arg), zeroPadding: !writesPadding)
    }
}
