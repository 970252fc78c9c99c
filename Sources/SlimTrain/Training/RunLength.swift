import SlimConfig

/// How long a training run is: `max_iters` batches per epoch for `epoch` epochs of `batch_size`
/// images. Every count of the run (steps, images) must be an `Int`: a run too long to count is a
/// config error, not an overflow trap or a loop that never ends.
public enum RunLength {
    /// - Throws: `ConfigError` at `itersMark` when `itersPerEpoch < 1`, and at `epochsMark` (when
    ///   the epochs are the larger factor) or `itersMark` when iters x epochs x batch size overflows.
    public static func check(itersPerEpoch iters: Int, epochs: Int, batchSize: Int,
                             itersMark: SourceMark, epochsMark: SourceMark) throws {
        guard iters > 0 else { throw ConfigError("max_iters must be at least 1 (batches per epoch), got \(iters)", at: itersMark) }
        let batches = iters.multipliedReportingOverflow(by: max(epochs, 1))
        guard !batches.overflow, !batches.partialValue.multipliedReportingOverflow(by: batchSize).overflow else {
            throw ConfigError("max_iters (\(iters)) x epoch (\(epochs)) x batch_size (\(batchSize)) is too large a run to count",
                              at: epochs > iters ? epochsMark : itersMark)
        }
    }
}
