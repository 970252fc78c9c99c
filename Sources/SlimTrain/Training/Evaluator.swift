import Foundation
import SlimGraph
import SlimTensor

/// Evaluates a classifier program on an ordered pass over a reader: loss (cross-entropy of the
/// program's probabilities, `-log max(p[label], 1e-12)`), top-1 and top-5.
///
/// It needs only the image feed and the probability output, so it measures training
/// programs, saved inference models, and frozen float and int8 models alike.
public struct Evaluator {
    public var executor: Executor
    public var image: String
    public var output: String

    public init(executor: Executor, image: String = "image", output: String? = nil) throws {
        guard let out = output ?? executor.program.fetches.first else {
            throw GraphError("the program has no fetch to evaluate", hints: ["its fetches are empty"])
        }
        self.executor = executor
        self.image = image
        self.output = out
    }

    /// One pass over `reader`'s data in order (last partial batch kept).
    /// - Parameters:
    ///   - onBatch: called after each batch with (batches done, total).
    ///   - onScores: called with each batch's `[N, C]` scores and `[N, 1]` labels, in data order.
    public func evaluate(_ reader: ReaderSpec, scope: Scope, onBatch: ((Int, Int) -> Void)? = nil,
                         onScores: ((Tensor, Tensor) throws -> Void)? = nil) throws -> EvalResult {
        var batches = try Self.orderedBatches(reader)
        var acc = EvalAccumulator()
        var done = 0
        while let batch = try batches.next() {
            let scores = try outputs(batch, scope: scope).probabilities
            acc.add(meanLoss: Self.crossEntropy(probabilities: scores, labels: batch.labels), scores: scores, labels: batch.labels)
            try onScores?(scores, batch.labels)
            done += 1
            onBatch?(done, batches.count)
        }
        return acc.result
    }

    /// `reader`'s data in order, unshuffled, the last partial batch kept: what every evaluation reads.
    static func orderedBatches(_ reader: ReaderSpec) throws -> EvalBatches {
        try DataLoader(dataset: reader.dataset, batchSize: reader.batchSize, shuffle: false, dropLast: false,
                       transforms: reader.transforms, seed: 0, prefetch: 0).evalBatches()
    }

    /// The logits: the input of the softmax that computes `output`, if the program ends in one.
    public var logits: String? {
        executor.program.ops.last { $0.type == "softmax" && $0.output("Out") == output }?.input("X")
    }

    /// The `[N, classes]` probabilities for a batch, and the var `logits` too when given, after
    /// checking the batch's labels against the model's classes (`Batch.checkLabels`) unless
    /// `checkLabels` is false (a caller that checks them against another model's same-shaped output).
    /// - Throws: `GraphError` when the output is not `[N, classes]`, `DataError.labelOutOfRange`.
    public func outputs(_ batch: Batch, scope: Scope, logits: String? = nil,
                        checkLabels: Bool = true) throws -> (probabilities: Tensor, logits: Tensor?) {
        let fetched = try executor.run(feeds: [image: batch.images], scope: scope, mode: .eval, fetches: [output] + (logits.map { [$0] } ?? []))
        guard let probabilities = fetched[output], probabilities.shape.count == 2, probabilities.shape[0] == batch.count else {
            throw GraphError("the model's output '\(output)' is \(fetched[output]?.shape ?? []) for \(batch.count) images",
                             hints: ["evaluation needs class probabilities [N, classes], a classifier's softmax output"])
        }
        if checkLabels { try batch.checkLabels(classes: probabilities.shape[1]) }
        return (probabilities, logits.flatMap { fetched[$0] })
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
