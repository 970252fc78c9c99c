import SlimGraph

extension ModelInterface {
    /// A fresh metric of this model's kind over its outputs. A VOC detector's metric reads its
    /// class count and per-image row counts from the `multiclass_nms` op of `program` that
    /// writes the output (`Scores` `[N, C, M]`, `NmsRoisNum`).
    /// `kind` replaces the model's own kind (a detector's `metric: COCO`), `mapType` is VOC's.
    /// - Throws: `GraphError` for a metric slim cannot compute on this model (a detector without
    ///   `program` or whose output is not a `multiclass_nms`).
    public func makeMetric(program: Program? = nil, kind: MetricKind? = nil,
                           mapType: VOCMeanAP.MapType = .elevenPoint) throws -> any Metric {
        switch kind ?? metric {
        case .topK: return TopKMetric(output: output)
        case .voc:
            guard let program, let metric = try DetectionMetric.voc(program: program, output: output, mapType: mapType) else {
                throw GraphError("evaluating a model with the VOC metric needs its program, whose output is a multiclass_nms",
                                 hints: ["the output \(output) is not written by a multiclass_nms op"])
            }
            return metric
        case .coco:
            guard let program, let metric = DetectionMetric.coco(program: program, output: output) else {
                throw GraphError("evaluating a model with the COCO metric needs its program, whose output is a multiclass_nms",
                                 hints: ["the output \(output) is not written by a multiclass_nms op"])
            }
            return metric
        }
    }

    /// An evaluator of this model on `executor`: its inference feeds, its metric (`kind` and
    /// `mapType` as `makeMetric`).
    public func evaluator(_ executor: Executor, kind: MetricKind? = nil, mapType: VOCMeanAP.MapType = .elevenPoint) throws -> Evaluator {
        Evaluator(executor: executor, feeds: inferenceFeeds, output: output,
                  metric: try makeMetric(program: executor.program, kind: kind, mapType: mapType))
    }
}
