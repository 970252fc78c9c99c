import SlimTensor

/// The mean of the per-batch maxima (Paddle's `avg` calibration):
///
///     s = (1 / B) * sum_b max |x_b|
///
/// over the `B` observed batches; values above `s` in batches with larger maxima are clipped.
public struct AvgObserver: Observer {
    /// The number of batches observed.
    public internal(set) var batches = 0
    var total: Double = 0

    public init() {}

    public mutating func observe(_ x: Tensor) {
        total += Double(AbsMaxObserver.finiteAbsMax(x))
        batches += 1
    }

    public var scale: Float { batches == 0 ? 0 : Float(total / Double(batches)) }
}
