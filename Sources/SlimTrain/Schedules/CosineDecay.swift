import Foundation

/// Cosine annealing from `baseLR` to `minLR` over `maxIters` iterations (PaddleDetection
/// `CosineDecay`), constant `minLR` afterwards:
///
///     lr(step) = minLR + (baseLR - minLR) * (cos(pi * step / maxIters) + 1) / 2
public struct CosineDecay: LRSchedule, LRScheduler, Sendable {
    public let baseLR: Double
    public let maxIters: Int
    public let minLR: Double

    /// - Throws: `ScheduleError` when `maxIters <= 0`.
    public init(baseLR: Double = 1, maxIters: Int, minLR: Double = 0) throws {
        guard maxIters > 0 else {
            throw ScheduleError.invalid(schedule: "CosineDecay", reason: "max_iters must be > 0, got \(maxIters)")
        }
        self.baseLR = baseLR
        self.maxIters = maxIters
        self.minLR = minLR
    }

    /// Annealing over `maxEpochs` epochs of `itersPerEpoch` iterations.
    public init(baseLR: Double = 1, maxEpochs: Double, itersPerEpoch: Int, minLR: Double = 0) throws {
        try self.init(baseLR: baseLR, maxIters: iterations(epochs: maxEpochs, itersPerEpoch: itersPerEpoch), minLR: minLR)
    }

    public func lr(at step: Int) -> Double {
        let t = Double(min(step, maxIters))
        return minLR + (baseLR - minLR) * (cos(t * Double.pi / Double(maxIters)) + 1) / 2
    }

    public func compose(baseLR: Double, inner: (any LRSchedule)?) throws -> any LRSchedule {
        try requireFirst("CosineDecay", inner)
        return try CosineDecay(baseLR: baseLR, maxIters: maxIters, minLR: minLR)
    }
}
