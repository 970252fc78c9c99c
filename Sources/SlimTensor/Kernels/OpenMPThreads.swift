#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The OpenMP runtime's thread count, reached through `dlsym` (no OpenMP header is imported).
///
/// libgomp reads `OMP_NUM_THREADS` once, when it is loaded with the process, so setting the
/// variable later changes nothing: `omp_set_num_threads` does (`Kernels.setThreads` calls it).
/// Both act on the calling thread, the one that calls oneDNN.
enum OpenMPThreads {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetThreads = @convention(c) () -> Int32

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(process, name)
    }

    /// Looked up once (the int8 kernels switch thread counts around single calls).
    private static let setThreads: SetThreads? = symbol("omp_set_num_threads").map { unsafeBitCast($0, to: SetThreads.self) }
    private static let getThreads: GetThreads? = symbol("omp_get_max_threads").map { unsafeBitCast($0, to: GetThreads.self) }

    /// Asks the OpenMP runtime for `n` threads in later parallel regions (no-op without OpenMP).
    static func set(_ n: Int) {
        guard n > 0, let f = setThreads else { return }
        f(Int32(n))
    }

    /// `omp_get_max_threads()`, or nil when no OpenMP runtime is loaded.
    static var maxThreads: Int? {
        getThreads.map { Int($0()) }
    }
}
