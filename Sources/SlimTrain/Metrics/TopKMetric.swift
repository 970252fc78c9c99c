import Foundation
import SlimGraph
import SlimTensor

/// Classification's metric: `loss` (cross-entropy of the model's probabilities,
/// `-log max(p[label], 1e-12)`, averaged per sample), `top1` (primary) and `top5` accuracy
/// (`TopKAccuracy`; top-`min(5, classes)`).
public struct TopKMetric: Metric {
    /// The probabilities var, `[N, classes]`.
    public let output: String
    private var accumulator = EvalAccumulator()

    public init(output: String) {
        self.output = output
    }

    public var fetches: [String] { [output] }

    public mutating func update(batch: Batch, outputs: [String: Tensor]) throws {
        let scores = try Self.probabilities(outputs[output], of: output, for: batch)
        accumulator.add(meanLoss: Self.crossEntropy(probabilities: scores, labels: batch.labels), scores: scores, labels: batch.labels)
    }

    public func accumulate() -> EvalResult { accumulator.result }

    public mutating func reset() { accumulator = EvalAccumulator() }

    /// The fetched `[N, classes]` probabilities of `batch`, after checking the batch's labels
    /// against the model's classes (`Batch.checkLabels`) unless `checkLabels` is false.
    /// - Throws: `GraphError` when the output is not `[N, classes]`, `DataError.labelOutOfRange`.
    static func probabilities(_ fetched: Tensor?, of output: String, for batch: Batch, checkLabels: Bool = true) throws -> Tensor {
        guard let probabilities = fetched, probabilities.shape.count == 2, probabilities.shape[0] == batch.count else {
            throw GraphError("the model's output '\(output)' is \(fetched?.shape ?? []) for \(batch.count) images",
                             hints: ["evaluation needs class probabilities [N, classes], a classifier's softmax output"])
        }
        if checkLabels { try batch.checkLabels(classes: probabilities.shape[1]) }
        return probabilities
    }

    /// Mean of `-log max(p[i, label_i], 1e-12)`.
    static func crossEntropy(probabilities p: Tensor, labels: Tensor) -> Double {
        let (n, c) = (p.shape[0], p.shape[1])
        return p.withUnsafeFloats { probs in
            labels.withUnsafeElements(as: Int32.self) { l in
                var total = 0.0
                for i in 0..<n {
                    let label = Int(l[i])
                    let q = label >= 0 && label < c ? Double(probs[i * c + label]) : 0
                    total -= log(max(q, 1e-12))
                }
                return total / Double(max(n, 1))
            }
        }
    }
}
