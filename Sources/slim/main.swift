import SlimCLI
import SlimTensor
#if canImport(Glibc)
import Glibc
#endif

/// OpenMP (libgomp, under oneDNN) reads OMP_WAIT_POLICY once, when the library loads, before any
/// Swift code runs. Its default spins idle threads, which on a machine shared with other work
/// costs up to 100x at small batches; slim runs with PASSIVE (threads sleep) unless the user chose
/// a policy, by re-executing itself once with the variable set (the benchmarks use the same).
#if os(Linux)
if getenv("OMP_WAIT_POLICY") == nil {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the default policy.
}
#endif

HeapPolicy.keepLargeBlocks()

SlimCommand.main()
