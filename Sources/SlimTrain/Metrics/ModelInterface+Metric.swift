import SlimGraph

extension ModelInterface {
    /// A fresh metric of this model's kind over its outputs. A VOC detector's metric reads its
    /// class count and per-image row counts from the `multiclass_nms` op of `program` that
    /// writes the output (`Scores` `[N, C, M]`, `NmsRoisNum`).
    /// - Throws: `GraphError` for a metric slim cannot compute on this model yet (COCO, or a
    ///   detector without `program` or whose output is not a `multiclass_nms`).
    public func makeMetric(program: Program? = nil) throws -> any Metric {
        switch metric {
        case .topK: return TopKMetric(output: output)
        case .voc:
            guard let program, let metric = try DetectionMetric.voc(program: program, output: output) else {
                throw GraphError("evaluating a model with the VOC metric needs its program, whose output is a multiclass_nms",
                                 hints: ["the output \(output) is not written by a multiclass_nms op"])
            }
            return metric
        case .coco:
            throw GraphError("evaluating a model with the COCO metric is not supported yet", hints: ["use metric VOC"])
        }
    }

    /// An evaluator of this model on `executor`: its inference feeds, its metric.
    public func evaluator(_ executor: Executor) throws -> Evaluator {
        Evaluator(executor: executor, feeds: inferenceFeeds, output: output, metric: try makeMetric(program: executor.program))
    }
}
