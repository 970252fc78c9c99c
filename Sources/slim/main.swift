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

/// The tensor, graph, quantization and training layers are compiled for x86-64 with AVX2 and FMA
/// (Package.swift, `-target-cpu haswell`): on a CPU without them their first vector instruction
/// would stop slim with SIGILL, so say so first (exit 1). Read here, in code built for any x86-64.
#if os(Linux) && arch(x86_64)
if let cpuinfo = fopen("/proc/cpuinfo", "r") {
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    var missing: [String]?
    while getline(&line, &capacity, cpuinfo) > 0, let text = line.map({ String(cString: $0) }) {
        guard text.hasPrefix("flags") else { continue }
        let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }).map(String.init))
        missing = ["avx2", "fma"].filter { !flags.contains($0) }
        break
    }
    free(line)
    fclose(cpuinfo)
    if let missing, !missing.isEmpty {
        fputs("error: slim needs an x86-64 CPU with AVX2 and FMA; this one lacks \(missing.joined(separator: " and "))\n", stderr)
        exit(1)
    }
}
#endif

HeapPolicy.keepLargeBlocks()
Denormals.flushToZero()

SlimCommand.main()
