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

    private typealias Region = @convention(c) (UnsafeMutableRawPointer?) -> Void
    private typealias StartRegion = @convention(c) (Region, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
    /// `GOMP_parallel`, the entry a `#pragma omp parallel` compiles to (libgomp, and LLVM's
    /// libomp for compatibility): runs a function on a team of the runtime's threads, the caller
    /// being thread 0.
    private static let startRegion: StartRegion? = symbol("GOMP_parallel").map { unsafeBitCast($0, to: StartRegion.self) }
    private static let threadNumber: GetThreads? = symbol("omp_get_thread_num").map { unsafeBitCast($0, to: GetThreads.self) }
    private static let teamSize: GetThreads? = symbol("omp_get_num_threads").map { unsafeBitCast($0, to: GetThreads.self) }

    /// Whether `parallel` can run a parallel region (an OpenMP runtime is loaded).
    static var canRunParallel: Bool { startRegion != nil && threadNumber != nil && teamSize != nil }

    /// What a parallel region's threads run: `body(i)` for each i below `count`.
    private final class Work {
        let count: Int
        let body: (Int) -> Void
        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }
    }

    /// Runs `body(i)` for i in 0..<n in one OpenMP parallel region of n threads (the runtime's
    /// own, the ones oneDNN runs on), thread t taking i = t (and t + team size, ... when the
    /// runtime gives a smaller team), and returns when all are done. Without a runtime
    /// (`canRunParallel` false) runs them in turn on the calling thread.
    static func parallel(_ n: Int, _ body: (Int) -> Void) {
        guard n > 1, let start = startRegion else {
            for i in 0..<n { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = Work(count: n, body: body)
            withExtendedLifetime(work) {
                start({ context in
                    let work = Unmanaged<Work>.fromOpaque(context!).takeUnretainedValue()
                    let team = max(1, Int(OpenMPThreads.teamSize!()))
                    var i = Int(OpenMPThreads.threadNumber!())
                    while i < work.count {
                        work.body(i)
                        i += team
                    }
                }, Unmanaged.passUnretained(work).toOpaque(), UInt32(n), 0)
            }
        }
    }

    /// `omp_get_max_threads()`, or nil when no OpenMP runtime is loaded.
    static var maxThreads: Int? {
        getThreads.map { Int($0()) }
    }
}
