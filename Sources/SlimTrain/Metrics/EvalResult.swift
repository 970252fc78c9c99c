import Foundation
import SlimTensor

/// The outcome of evaluating a model on a data set.
public struct EvalResult: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Mean loss per sample.
    public var loss: Double
    /// Top-1 and top-5 accuracy in [0, 1].
    public var top1: Double
    public var top5: Double
    /// Number of samples evaluated.
    public var samples: Int

    public init(loss: Double, top1: Double, top5: Double, samples: Int) {
        self.loss = loss
        self.top1 = top1
        self.top5 = top5
        self.samples = samples
    }

    public var description: String {
        "loss \(format4(loss))  top1 \(format4(top1))  top5 \(format4(top5))  (\(samples) samples)"
    }
}

/// Accumulates an `EvalResult` batch by batch.
public struct EvalAccumulator: Sendable {
    private var loss = RunningMean()
    private var top1 = 0
    private var top5 = 0
    private var samples = 0

    public init() {}

    /// Adds one batch: its mean loss, `[N, C]` scores and `[N, 1]` s32 labels.
    public mutating func add(meanLoss: Double, scores: Tensor, labels: Tensor) {
        let n = scores.shape[0]
        loss.add(meanLoss, weight: Double(n))
        top1 += TopKAccuracy.correct(scores: scores, labels: labels, k: 1)
        top5 += TopKAccuracy.correct(scores: scores, labels: labels, k: min(5, scores.shape[1]))
        samples += n
    }

    public var result: EvalResult {
        let n = Double(max(samples, 1))
        return EvalResult(loss: loss.mean, top1: Double(top1) / n, top5: Double(top5) / n, samples: samples)
    }
}

/// `x` with four decimals.
func format4(_ x: Double) -> String {
    String(format: "%.4f", x)
}
