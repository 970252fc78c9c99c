import SlimTensor

/// The feeds calibration runs the float program on: the same batches, in the same order, every
/// time `forEachBatch` is called (histogram algorithms make two passes).
public protocol CalibrationBatches {
    /// Calls `body` with the feeds (`[var: value]`) of each batch, in order.
    func forEachBatch(_ body: ([String: Tensor]) throws -> Void) throws
}

extension Array: CalibrationBatches where Element == [String: Tensor] {
    public func forEachBatch(_ body: ([String: Tensor]) throws -> Void) throws {
        for feeds in self { try body(feeds) }
    }
}
