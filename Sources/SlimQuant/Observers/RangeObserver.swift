import SlimTensor

/// The range `[lower, upper]` of a tensor over calibration batches, for asymmetric uint8
/// activations (ONNX Runtime's `MinMax` calibration, NNCF's asymmetric mode): `lower` is the
/// smallest value seen (or the mean of the per-batch minima with `averaged`), `upper` the largest
/// (or the mean of the maxima), both widened to include 0 so that 0 is exactly representable.
/// Values that are not finite are ignored.
///
/// `asymmetric` turns the range into slim's asymmetric quantizer, as ONNX Runtime computes its
/// uint8 QuantizeLinear parameters: step `(upper - lower) / 255`, zero point
/// `round(-lower / step)` (half to even); slim's scale `s` is `127 * step` (its quantizers divide
/// by `s / 127`). As an `Observer` its symmetric threshold is `max(-lower, upper)`.
public struct RangeObserver: Observer {
    /// Means of the per-batch minima and maxima (`avg`) instead of the extremes (`abs_max`).
    public let averaged: Bool
    /// Batches observed.
    public internal(set) var batches = 0
    /// Extremes: the smallest value (<= 0) and the largest (>= 0); averaged: their sums over batches.
    var lowerTotal: Double = 0
    var upperTotal: Double = 0

    public init(averaged: Bool = false) { self.averaged = averaged }

    public mutating func observe(_ x: Tensor) {
        precondition(x.dtype == .f32, "observers read f32 tensors, got \(x.dtype)")
        let (lo, hi) = x.withUnsafeFloatsInMemoryOrder(RangeObserver.finiteRange)
        if averaged {
            lowerTotal += Double(lo)
            upperTotal += Double(hi)
        } else {
            lowerTotal = min(lowerTotal, Double(lo))
            upperTotal = max(upperTotal, Double(hi))
        }
        batches += 1
    }

    /// The observed range, 0 included (`[0, 0]` before any batch).
    public var range: (lower: Float, upper: Float) {
        guard batches > 0 else { return (0, 0) }
        let n = averaged ? Double(batches) : 1
        return (Float(lowerTotal / n), Float(upperTotal / n))
    }

    public var scale: Float { max(-range.lower, range.upper) }

    /// slim's scale `s` and the uint8 zero point of the range (a range of width 0: step 1, zero point 0).
    public var asymmetric: (scale: Float, zeroPoint: Int) { Self.asymmetric(lower: range.lower, upper: range.upper) }

    /// `s = 127 * step`, `z = clamp(round(-lower / step), 0, 255)` with `step = (upper - lower) / 255`
    /// in f32, for `lower <= 0 <= upper`.
    public static func asymmetric(lower: Float, upper: Float) -> (scale: Float, zeroPoint: Int) {
        let lo = min(lower, 0), hi = max(upper, 0)
        var step = (hi - lo) / 255
        if !(step >= Float.leastNormalMagnitude) || !step.isFinite { step = 1 }
        let z = (-lo / step).rounded(.toNearestOrEven)
        return (step * 127, Int(min(max(z, 0), 255)))
    }

    /// The smallest and the largest finite value of `x`, with 0 included.
    static func finiteRange(_ x: UnsafeBufferPointer<Float>) -> (Float, Float) {
        var lo: Float = 0, hi: Float = 0
        for v in x where v.isFinite {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        return (lo, hi)
    }
}
