#if canImport(Glibc)
import Glibc
#endif

/// Subnormal floats (magnitudes below 1.2e-38) cost x86 cores a microcode assist of ~100 cycles
/// per operation: a layer whose folded weights or activations hold some runs 10-20x slower
/// (measured: a fine-tuned, pruned MobileNetV1's first conv 3.0 ms instead of 0.18 ms). slim
/// flushes them to zero, as TensorFlow does by default and ONNX Runtime's
/// `session.set_denormal_as_zero` does: MXCSR's flush-to-zero (results) and denormals-are-zero
/// (inputs) bits. Threads inherit the setting from the thread that creates them (POSIX), so it is
/// set once on the main thread before the first parallel region starts OpenMP's pool.
public enum Denormals {
    static let ftzBit: UInt32 = 0x8000, dazBit: UInt32 = 0x0040

    /// Sets flush-to-zero and denormals-are-zero on the calling thread (x86-64; elsewhere nothing).
    public static func flushToZero() { set(flushing: true) }

    /// Sets (or clears) both bits on the calling thread.
    public static func set(flushing: Bool) {
        #if arch(x86_64) && canImport(Glibc)
        var env = fenv_t()
        guard fegetenv(&env) == 0 else { return }
        if flushing { env.__mxcsr |= ftzBit | dazBit } else { env.__mxcsr &= ~(ftzBit | dazBit) }
        _ = fesetenv(&env)
        #endif
    }

    /// Whether the calling thread flushes subnormals (both bits set).
    public static var areFlushed: Bool {
        #if arch(x86_64) && canImport(Glibc)
        var env = fenv_t()
        guard fegetenv(&env) == 0 else { return false }
        return env.__mxcsr & (ftzBit | dazBit) == ftzBit | dazBit
        #else
        return false
        #endif
    }
}
