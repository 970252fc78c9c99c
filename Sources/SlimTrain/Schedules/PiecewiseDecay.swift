import Foundation

/// Step-wise constant rate (Fluid `piecewise_decay`, PaddleDetection `PiecewiseDecay`):
///
///     lr(step) = values[i]   where i = number of milestones <= step
///
/// and, when `values` is not given, `values[i] = baseLR * gamma^i`.
public struct PiecewiseDecay: LRSchedule, LRScheduler, Sendable {
    public let baseLR: Double
    public let gamma: Double
    public let milestones: [Int]
    /// The rate of each of the `milestones.count + 1` segments.
    public let values: [Double]
    private let explicitValues: Bool

    /// - Parameters:
    ///   - baseLR: the rate before the first milestone (replaced by `LearningRate.base_lr` when
    ///     used as a scheduler entry).
    ///   - gamma: factor per milestone passed.
    ///   - milestones: strictly increasing, non-negative iteration numbers.
    ///   - values: optional explicit rates, one more than milestones.
    /// - Throws: `ScheduleError` for unsorted milestones or a wrong number of values.
    public init(baseLR: Double = 1, gamma: Double = 0.1, milestones: [Int], values: [Double]? = nil) throws {
        guard milestones.allSatisfy({ $0 >= 0 }), zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ScheduleError.invalid(schedule: "PiecewiseDecay", reason: "milestones must be non-negative and strictly increasing, got \(milestones)")
        }
        if let values, values.count != milestones.count + 1 {
            throw ScheduleError.invalid(schedule: "PiecewiseDecay", reason:
                "values needs \(milestones.count + 1) entries (one more than milestones), got \(values.count)")
        }
        self.baseLR = baseLR
        self.gamma = gamma
        self.milestones = milestones
        explicitValues = values != nil
        self.values = values ?? (0...milestones.count).map { baseLR * pow(gamma, Double($0)) }
    }

    /// Milestones given in epochs, converted with `itersPerEpoch` (rounded to iterations).
    public init(baseLR: Double = 1, gamma: Double = 0.1, milestoneEpochs: [Double], itersPerEpoch: Int, values: [Double]? = nil) throws {
        try self.init(baseLR: baseLR, gamma: gamma,
                      milestones: milestoneEpochs.map { try iterations(epochs: $0, itersPerEpoch: itersPerEpoch) }, values: values)
    }

    public func lr(at step: Int) -> Double {
        values[milestones.reduce(0) { $0 + (step >= $1 ? 1 : 0) }]
    }

    public func compose(baseLR: Double, inner: (any LRSchedule)?) throws -> any LRSchedule {
        try requireFirst("PiecewiseDecay", inner)
        return try PiecewiseDecay(baseLR: baseLR, gamma: gamma, milestones: milestones, values: explicitValues ? values : nil)
    }
}
