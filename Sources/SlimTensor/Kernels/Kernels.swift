import Foundation

/// slim's compute kernels: oneDNN primitives on plain row-major f32 tensors, cached per
/// (op, shapes, attributes, prop kind). See docs/KERNEL_API.md for the contract.
public enum Kernels {
    /// Sets the OpenMP thread count oneDNN uses from now on (0 keeps OMP_NUM_THREADS / all cores).
    /// Call it from the thread that calls oneDNN.
    public static func setThreads(_ n: Int) {
        OpenMPThreads.set(n)
    }

    /// The OpenMP runtime's current maximum thread count (nil without an OpenMP runtime).
    public static var threads: Int? { OpenMPThreads.maxThreads }

    /// Runs a prepared primitive on tensors: inputs read, outputs written in place.
    static func run(_ p: PreparedPrimitive, inputs: [Int32: Tensor], outputs: inout [Int32: Tensor], extra: [(Int32, Memory)] = []) {
        var buffers: [Int32: UnsafeMutableRawPointer] = [:]
        for (arg, t) in inputs { buffers[arg] = t.storage.pointer }
        for arg in outputs.keys {
            outputs[arg]!.withUnsafeMutableBytes { _ in }   // make storage unique before oneDNN writes it
            buffers[arg] = outputs[arg]!.storage.pointer
        }
        withExtendedLifetime(inputs) { p.run(buffers, extra: extra) }
    }
}
