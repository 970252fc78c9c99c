import SlimTensor

/// The largest `|x|` over every observed batch: `s = max_batches max |x|` (Paddle's `abs_max`
/// calibration). Nothing is clipped, so one outlier widens the grid for all values.
public struct AbsMaxObserver: Observer {
    public private(set) var scale: Float = 0

    public init() {}

    public mutating func observe(_ x: Tensor) {
        scale = max(scale, AbsMaxObserver.finiteAbsMax(x))
    }

    /// `max |x|` over the finite elements of `x` (0 when there are none).
    static func finiteAbsMax(_ x: Tensor) -> Float {
        precondition(x.dtype == .f32, "observers read f32 tensors, got \(x.dtype)")
        return x.withUnsafeFloats { p in
            var m: Float = 0
            for v in p where v.isFinite { m = max(m, abs(v)) }
            return m
        }
    }
}
