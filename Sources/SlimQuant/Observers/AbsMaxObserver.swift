import SlimTensor

/// The largest `|x|` over every observed batch: `s = max_batches max |x|` (Paddle's `abs_max`
/// calibration). Nothing is clipped, so one outlier widens the grid for all values.
public struct AbsMaxObserver: Observer {
    public internal(set) var scale: Float = 0

    public init() {}

    public mutating func observe(_ x: Tensor) {
        scale = max(scale, AbsMaxObserver.finiteAbsMax(x))
    }

    /// `max |x|` over the finite elements of `x` (0 when there are none), read in the tensor's
    /// memory order (no reorder of a blocked tensor), 16 at a time.
    static func finiteAbsMax(_ x: Tensor) -> Float {
        precondition(x.dtype == .f32, "observers read f32 tensors, got \(x.dtype)")
        return x.withUnsafeFloatsInMemoryOrder { FakeQuantKernel.parallelMax($0, FakeQuantKernel.finiteAbsMax) }
    }
}
