#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The peak resident set size of this process so far.
public enum PeakMemory {
    /// `getrusage(RUSAGE_SELF).ru_maxrss` in MiB (Linux reports KiB, macOS bytes).
    public static var residentMB: Double {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / (1024 * 1024)
        #endif
    }
}
