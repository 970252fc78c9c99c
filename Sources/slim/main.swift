import SlimCLI
import SlimTensor
#if canImport(Glibc)
import Glibc
#endif

/// OpenMP (libgomp, under oneDNN) reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, when the library
/// loads, before any Swift code runs. Its default spins idle threads for a long time, which on a
/// machine shared with other work costs up to 100x at small batches; sleeping at once (PASSIVE)
/// costs a thread wake-up per parallel region, 3-5x at batch 1. slim runs with PASSIVE and a short
/// spin before sleeping (GOMP_SPINCOUNT 10000, tens of microseconds) unless the user set them, by
/// re-executing itself once with the variables set.
#if os(Linux)
if getenv("OMP_WAIT_POLICY") == nil || getenv("GOMP_SPINCOUNT") == nil {
    if getenv("OMP_WAIT_POLICY") == nil { setenv("OMP_WAIT_POLICY", "PASSIVE", 1) }
    if getenv("GOMP_SPINCOUNT") == nil { setenv("GOMP_SPINCOUNT", "10000", 1) }
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the default policy.
}
#endif

HeapPolicy.keepLargeBlocks()
Denormals.flushToZero()

SlimCommand.main()
