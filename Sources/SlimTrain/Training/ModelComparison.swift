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
    /// model's parameters. `onBatch` gets (batches done, total).
    public func compare(_ reader: ReaderSpec, scope: Scope, referenceScope: Scope,
                        onBatch: ((Int, Int) -> Void)? = nil) throws -> ComparisonResult {
        let loader = try DataLoader(dataset: reader.dataset, batchSize: reader.batchSize, shuffle: false, dropLast: false,
                                    transforms: reader.transforms, seed: 0, prefetch: 0)
        var batches = loader.evalBatches()
        var result = ComparisonResult()
        var (correct, referenceCorrect) = (0, 0)
        let withLogits = model.logits != nil && reference.logits != nil
        var done = 0
        while let batch = try batches.next() {
            let a = try model.outputs(batch.images, scope: scope, logits: withLogits)
            let b = try reference.outputs(batch.images, scope: referenceScope, logits: withLogits)
            let (ca, cb) = (Self.argmax(a.probabilities), Self.argmax(b.probabilities))
            let labels = batch.labels.withUnsafeElements(as: Int32.self) { $0.map(Int.init) }
            result.samples += ca.count
            result.top1Agreement += zip(ca, cb).filter { $0 == $1 }.count
            correct += zip(ca, labels).filter { $0 == $1 }.count
            referenceCorrect += zip(cb, labels).filter { $0 == $1 }.count
            result.maxProbabilityDiff = max(result.maxProbabilityDiff, try Self.maxDiff(a.probabilities, b.probabilities))
            if let la = a.logits, let lb = b.logits {
                result.maxLogitDiff = max(result.maxLogitDiff ?? 0, try Self.maxDiff(la, lb))
            }
            done += 1
            onBatch?(done, batches.count)
        }
        result.top1 = Double(correct) / Double(max(result.samples, 1))
        result.referenceTop1 = Double(referenceCorrect) / Double(max(result.samples, 1))
        return result
    }

    /// The row-wise argmax of `[N, C]` scores.
    static func argmax(_ scores: Tensor) -> [Int] {
        let (n, c) = (scores.shape[0], scores.shape[1])
        let values = scores.asFloats
        return (0..<n).map { i in
            let row = values[(i * c)..<((i + 1) * c)]
            return row.indices.max { row[$0] < row[$1] }! - i * c
        }
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
