/// PaddleDetection's `LearningRate`: a base rate and a list of schedulers composed in order,
/// each receiving the base rate and the schedule built so far:
///
///     LearningRate:
///       base_lr: 0.01
///       schedulers:
///       - !PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}
///       - !LinearWarmup {start_factor: 0.1, steps: 100}
///
/// The decay comes first (built from `base_lr`), the warm-up wraps it. No schedulers means a
/// constant `base_lr`.
public struct LearningRate: LRSchedule {
    public let baseLR: Double
    public let schedule: any LRSchedule

    /// - Throws: `ScheduleError` when `baseLR` is negative or not finite, or the schedulers
    ///   cannot be composed in this order.
    public init(baseLR: Double, schedulers: [any LRScheduler] = []) throws {
        guard baseLR >= 0, baseLR.isFinite else {
            throw ScheduleError.invalid(schedule: "LearningRate", reason: "base_lr must be a finite value >= 0, got \(baseLR)")
        }
        var built: (any LRSchedule)?
        for scheduler in schedulers {
            built = try scheduler.compose(baseLR: baseLR, inner: built)
        }
        self.baseLR = baseLR
        schedule = built ?? ConstantLR(baseLR)
    }

    public func lr(at step: Int) -> Double { schedule.lr(at: step) }
}
