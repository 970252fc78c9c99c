import SlimGraph
import SlimTensor

/// Runs a model and a reference model on the same ordered pass over a reader and measures their
/// agreement: same top-1 class, largest probability and logit differences (`ComparisonResult`).
public struct ModelComparison {
    public var model: Evaluator
    public var reference: Evaluator

    public init(model: Evaluator, reference: Evaluator) {
        self.model = model
        self.reference = reference
    }

    /// One pass over `reader` (last partial batch kept); `scope` and `referenceScope` hold each
    /// model's parameters.
    public func compare(_ reader: ReaderSpec, scope: Scope, referenceScope: Scope) throws -> ComparisonResult {
        var batches = try Evaluator.orderedBatches(reader)
        var result = ComparisonResult()
        var (correct, referenceCorrect) = (0, 0)
        let (logits, referenceLogits) = (model.logits, reference.logits)
        let withLogits = logits != nil && referenceLogits != nil
        while let batch = try batches.next() {
            let a = try model.outputs(batch, scope: scope, logits: withLogits ? logits : nil)
            // Labels are checked with `a`; `maxDiff` makes sure `b` has the same classes first.
            let b = try reference.outputs(batch, scope: referenceScope, logits: withLogits ? referenceLogits : nil, checkLabels: false)
            result.maxProbabilityDiff = max(result.maxProbabilityDiff, try Self.maxDiff(a.probabilities, b.probabilities))
            if let la = a.logits, let lb = b.logits {
                result.maxLogitDiff = max(result.maxLogitDiff ?? 0, try Self.maxDiff(la, lb))
            }
            let (ca, cb) = (TopKAccuracy.top1Classes(a.probabilities), TopKAccuracy.top1Classes(b.probabilities))
            result.samples += ca.count
            result.top1Agreement += zip(ca, cb).filter { $0 == $1 }.count
            correct += TopKAccuracy.correct(scores: a.probabilities, labels: batch.labels, k: 1)
            referenceCorrect += TopKAccuracy.correct(scores: b.probabilities, labels: batch.labels, k: 1)
        }
        result.top1 = Double(correct) / Double(max(result.samples, 1))
        result.referenceTop1 = Double(referenceCorrect) / Double(max(result.samples, 1))
        return result
    }

    /// `max |a - b|` over two tensors of the same shape.
    /// - Throws: `GraphError` when the shapes differ (models with other outputs).
    static func maxDiff(_ a: Tensor, _ b: Tensor) throws -> Double {
        guard a.shape == b.shape else {
            throw GraphError("the compared models' outputs differ in shape: \(a.shape) vs \(b.shape) (reference)",
                             hints: ["compare variants of one model, e.g. its int8/ and float/ directories"])
        }
        return Double(zip(a.asFloats, b.asFloats).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) })
    }
}
