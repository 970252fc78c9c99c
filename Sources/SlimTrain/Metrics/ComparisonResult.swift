import Foundation

/// How closely a model follows a reference model on the same images (e.g. the INT8 engine against
/// the frozen float model it was converted from).
public struct ComparisonResult: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Images compared.
    public var samples: Int
    /// Images on which both models predict the same class.
    public var top1Agreement: Int
    /// Top-1 accuracy of the model and of the reference, in [0, 1].
    public var top1: Double
    public var referenceTop1: Double
    /// Largest absolute difference of any output probability.
    public var maxProbabilityDiff: Double
    /// Largest absolute difference of any logit (the softmax's input), when both programs end in a softmax.
    public var maxLogitDiff: Double?

    public init(samples: Int = 0, top1Agreement: Int = 0, top1: Double = 0, referenceTop1: Double = 0,
                maxProbabilityDiff: Double = 0, maxLogitDiff: Double? = nil) {
        self.samples = samples
        self.top1Agreement = top1Agreement
        self.top1 = top1
        self.referenceTop1 = referenceTop1
        self.maxProbabilityDiff = maxProbabilityDiff
        self.maxLogitDiff = maxLogitDiff
    }

    /// `top1Agreement / samples`.
    public var agreementRate: Double { samples == 0 ? 0 : Double(top1Agreement) / Double(samples) }

    public var description: String {
        let logits = maxLogitDiff.map { String(format: "  max |logit diff| %.4f", $0) } ?? ""
        return String(format: "top-1 agreement %d/%d (%.2f%%)  top1 %.4f vs %.4f (reference)  max |prob diff| %.4f",
                      top1Agreement, samples, 100 * agreementRate, top1, referenceTop1, maxProbabilityDiff) + logits
    }
}
