/// Linear warm-up in front of another schedule (Fluid `linear_lr_warmup`, PaddleDetection
/// `LinearWarmup`):
///
///     lr(step) = start + (end - start) * step / steps    for step < steps
///              = inner.lr(step)                          otherwise
///
/// with `start = baseLR * startFactor` and `end = baseLR` (PaddleDetection passes base_lr as
/// end_lr). Without an inner schedule the rate after warm-up is `baseLR`.
public struct LinearWarmup: LRSchedule, LRScheduler {
    public let steps: Int
    public let startFactor: Double
    public let baseLR: Double
    public let inner: (any LRSchedule)?

    /// A warm-up entry for `LearningRate.schedulers` (its base rate and inner schedule are
    /// filled in by `compose`).
    /// - Throws: `ScheduleError` for negative steps.
    public init(steps: Int, startFactor: Double = 1.0 / 3.0) throws {
        try self.init(steps: steps, startFactor: startFactor, baseLR: 1, wrapping: nil)
    }

    /// Warm-up over `epochs` epochs of `itersPerEpoch` iterations.
    public init(epochs: Double, itersPerEpoch: Int, startFactor: Double = 1.0 / 3.0) throws {
        try self.init(steps: iterations(epochs: epochs, itersPerEpoch: itersPerEpoch), startFactor: startFactor)
    }

    /// A complete warm-up schedule around `inner`.
    public init(steps: Int, startFactor: Double, baseLR: Double, wrapping inner: (any LRSchedule)?) throws {
        guard steps >= 0 else {
            throw ScheduleError.invalid(schedule: "LinearWarmup", reason: "steps must be >= 0, got \(steps)")
        }
        self.steps = steps
        self.startFactor = startFactor
        self.baseLR = baseLR
        self.inner = inner
    }

    public func lr(at step: Int) -> Double {
        if step < steps {
            let start = baseLR * startFactor
            return start + (baseLR - start) * Double(step) / Double(steps)
        }
        return inner?.lr(at: step) ?? baseLR
    }

    public func compose(baseLR: Double, inner: (any LRSchedule)?) throws -> any LRSchedule {
        try LinearWarmup(steps: steps, startFactor: startFactor, baseLR: baseLR, wrapping: inner)
    }
}
