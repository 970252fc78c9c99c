import Foundation
import SlimTensor

/// Where an executor's runs spend their time, per op type: forward, backward and the
/// reorders of blocked tensors to plain row-major inside them (`ReorderClock`), plus the
/// accumulation of gradients that several ops contribute to. Set `Executor.profile` to collect.
public final class OpProfile {
    /// Totals of one (op type, phase).
    public struct Entry: Sendable {
        public var nanoseconds: UInt64 = 0
        /// Of `nanoseconds`: reorders to plain on tensor access.
        public var reorderNanoseconds: UInt64 = 0
        public var calls = 0
    }

    public enum Phase: String, Sendable { case forward, backward }

    /// Totals by op type and phase (the fused op types the executor runs, e.g. `conv2d` with its bias).
    public private(set) var entries: [String: [Phase: Entry]] = [:]
    /// Time spent adding the gradients of vars read by more than one op.
    public private(set) var gradientSumNanoseconds: UInt64 = 0

    public init() {}

    /// Forgets everything measured (after warm-up runs).
    public func reset() {
        entries.removeAll()
        gradientSumNanoseconds = 0
    }

    /// Runs `body` and charges its time (and the reorders inside it) to `type`'s `phase`.
    func measure<R>(_ type: String, _ phase: Phase, _ body: () throws -> R) rethrows -> R {
        let reorderStart = ReorderClock.reading.nanoseconds
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = DispatchTime.now().uptimeNanoseconds &- start
            var entry = entries[type]?[phase] ?? Entry()
            entry.nanoseconds &+= elapsed
            entry.reorderNanoseconds &+= ReorderClock.reading.nanoseconds &- reorderStart
            entry.calls += 1
            entries[type, default: [:]][phase] = entry
        }
        return try body()
    }

    /// Runs `body` (a gradient accumulation) and adds its time.
    func measureGradientSum<R>(_ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { gradientSumNanoseconds &+= DispatchTime.now().uptimeNanoseconds &- start }
        return try body()
    }

    /// A table of milliseconds per run (`runs` runs measured), largest first: per op type and
    /// phase, its share of the total, calls per run, and the reorders to plain inside it.
    public func table(runs: Int) -> String {
        let runs = max(runs, 1)
        func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 / Double(runs) }
        var rows = entries.flatMap { type, phases in phases.map { (type, $0.key, $0.value) } }
        rows.sort { $0.2.nanoseconds > $1.2.nanoseconds }
        let total = rows.reduce(UInt64(0)) { $0 &+ $1.2.nanoseconds } &+ gradientSumNanoseconds
        func share(_ ns: UInt64) -> String { String(format: "%5.1f%%", total == 0 ? 0 : Double(ns) * 100 / Double(total)) }
        var lines = [String(format: "per-op profile, ms per step (%d steps): %.3f ms in ops", runs, ms(total)),
                     "      ms  share  calls  reorder-to-plain ms  op (phase)"]
        for (type, phase, e) in rows {
            lines.append(String(format: "%8.3f ", ms(e.nanoseconds)) + share(e.nanoseconds)
                         + String(format: " %6d %20.3f  ", e.calls / runs, ms(e.reorderNanoseconds)) + "\(type) (\(phase.rawValue))")
        }
        if gradientSumNanoseconds > 0 {
            lines.append(String(format: "%8.3f ", ms(gradientSumNanoseconds)) + share(gradientSumNanoseconds)
                         + String(repeating: " ", count: 30) + "gradient sums (backward)")
        }
        return lines.joined(separator: "\n")
    }
}
