import Foundation

/// Continuous exponential decay (Fluid `exponential_decay` with `staircase = false`):
///
///     lr(step) = baseLR * gamma^(step / decaySteps)
public struct ExponentialDecay: LRSchedule, LRScheduler, Sendable {
    public let baseLR: Double
    public let gamma: Double
    public let decaySteps: Int

    /// - Throws: `ScheduleError` when `decaySteps <= 0` or `gamma <= 0`.
    public init(baseLR: Double = 1, gamma: Double, decaySteps: Int) throws {
        guard decaySteps > 0, gamma > 0 else {
            throw ScheduleError.invalid(schedule: "ExponentialDecay", reason:
                "need decay_steps > 0 and gamma > 0, got \(decaySteps) and \(gamma)")
        }
        self.baseLR = baseLR
        self.gamma = gamma
        self.decaySteps = decaySteps
    }

    /// Decay period given in epochs of `itersPerEpoch` iterations.
    public init(baseLR: Double = 1, gamma: Double, decayEpochs: Double, itersPerEpoch: Int) throws {
        try self.init(baseLR: baseLR, gamma: gamma, decaySteps: iterations(epochs: decayEpochs, itersPerEpoch: itersPerEpoch))
    }

    public func lr(at step: Int) -> Double {
        baseLR * pow(gamma, Double(step) / Double(decaySteps))
    }

    public func compose(baseLR: Double, inner: (any LRSchedule)?) throws -> any LRSchedule {
        try requireFirst("ExponentialDecay", inner)
        return try ExponentialDecay(baseLR: baseLR, gamma: gamma, decaySteps: decaySteps)
    }
}
