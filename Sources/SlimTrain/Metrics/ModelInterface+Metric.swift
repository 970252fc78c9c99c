import SlimGraph

extension ModelInterface {
    /// A fresh metric of this model's kind over its outputs.
    /// - Throws: `GraphError` for a metric slim cannot compute on this model yet.
    public func makeMetric() throws -> any Metric {
        switch metric {
        case .topK: return TopKMetric(output: output)
        case .voc, .coco:
            throw GraphError("evaluating a model with the \(metric.rawValue) metric needs its detection outputs",
                             hints: ["VOCMeanAP and COCOAveragePrecision compute the numbers; no Metric wraps them yet"])
        }
    }

    /// An evaluator of this model on `executor`: its inference feeds, its metric.
    public func evaluator(_ executor: Executor) throws -> Evaluator {
        Evaluator(executor: executor, feeds: inferenceFeeds, output: output, metric: try makeMetric())
    }
}
