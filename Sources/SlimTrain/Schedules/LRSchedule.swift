/// A learning rate as a function of the global iteration (batch) number, starting at 0.
public protocol LRSchedule {
    func lr(at step: Int) -> Double
}

/// One entry of `LearningRate.schedulers` (PaddleDetection's `!PiecewiseDecay`, `!LinearWarmup`,
/// ...): given the base rate and the schedule built so far, returns the composed schedule.
public protocol LRScheduler {
    /// - Parameters:
    ///   - baseLR: `LearningRate.base_lr`.
    ///   - inner: the schedule built by the earlier entries, nil for the first one.
    /// - Throws: `ScheduleError` when this entry cannot come at this position.
    func compose(baseLR: Double, inner: (any LRSchedule)?) throws -> any LRSchedule
}

/// Errors in a learning-rate configuration.
public enum ScheduleError: Error, Equatable, CustomStringConvertible {
    case invalid(schedule: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(schedule, reason): return "\(schedule): \(reason)"
        }
    }
}

/// A constant rate (the schedule of a `LearningRate` without schedulers).
public struct ConstantLR: LRSchedule, Sendable {
    public let value: Double

    public init(_ value: Double) { self.value = value }

    public func lr(at step: Int) -> Double { value }
}

/// Iterations from an epoch count: `round(epochs * itersPerEpoch)`, which must be an `Int`.
public func iterations(epochs: Double, itersPerEpoch: Int) throws -> Int {
    guard itersPerEpoch > 0, epochs >= 0, epochs.isFinite else {
        throw ScheduleError.invalid(schedule: "epochs", reason:
            "need epochs >= 0 and iters_per_epoch > 0, got \(epochs) and \(itersPerEpoch)")
    }
    guard let count = Int(exactly: (epochs * Double(itersPerEpoch)).rounded()) else {
        throw ScheduleError.invalid(schedule: "epochs", reason: "\(epochs) epochs of \(itersPerEpoch) iterations are too many to count")
    }
    return count
}

/// A decay used as a scheduler entry must come first: it only takes the base rate.
func requireFirst(_ name: String, _ inner: (any LRSchedule)?) throws {
    guard inner == nil else {
        throw ScheduleError.invalid(schedule: name, reason:
            "a decay must be the first scheduler (warmups such as LinearWarmup come after it and wrap it)")
    }
}
