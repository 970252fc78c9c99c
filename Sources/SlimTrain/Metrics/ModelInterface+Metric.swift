import SlimGraph

extension ModelInterface {
    /// A fresh metric of this model's kind over its outputs.
    /// - Throws: `GraphError` for a metric slim cannot compute on this model yet.
    public func makeMetric() throws -> any Metric {
        switch metric {
        case .topK: return TopKMetric(output: output)
        case .voc, .coco:
            // The class count and the NMS counts var are not part of the interface yet.
            throw GraphError("evaluating a model with the \(metric.rawValue) metric needs its class count and NMS counts",
                             hints: ["build a DetectionMetric over the model's NMS output and pass it to Evaluator"])
        }
    }

    /// An evaluator of this model on `executor`: its inference feeds, its metric.
    public func evaluator(_ executor: Executor) throws -> Evaluator {
        Evaluator(executor: executor, feeds: inferenceFeeds, output: output, metric: try makeMetric())
    }
}
