import SlimTensor

/// A measure of a model accumulated over the batches of an evaluation pass (Paddle's
/// `paddle.metric.Metric`: `reset`, `update`, `accumulate`).
///
/// The evaluator runs the model's inference feeds of each batch, fetches `fetches`, and hands
/// the metric the batch (its ground truth and per-sample metadata) with the fetched tensors.
/// The result names its numbers and one primary value, which picks the best epoch.
public protocol Metric {
    /// The vars the metric reads from each batch's run.
    var fetches: [String] { get }
    /// Adds one batch: the batch and the tensors fetched for it, by var name.
    /// - Throws: `GraphError` when a fetched tensor is not what the metric measures,
    ///   `DataError` when the batch's ground truth does not fit the model.
    mutating func update(batch: Batch, outputs: [String: Tensor]) throws
    /// The result over every batch since the last `reset`.
    func accumulate() -> EvalResult
    /// Forgets every batch.
    mutating func reset()
}
