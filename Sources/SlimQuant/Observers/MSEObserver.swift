import SlimTensor

/// The threshold minimising the quantization mean squared error of `|x|` (Paddle's `mse`
/// calibration, computed on a histogram so batches need not be kept):
///
///     s = argmin_{s_k} mse(s_k),   s_k = k / K * range,  k = 1 ... K
///
/// with `mse` as `AbsHistogram.quantizationError` (clipping error above `s`, rounding error
/// below) and `K = candidates` (the smallest `s_k` wins a tie).
public struct MSEObserver: Observer {
    public let bits: Int
    public let candidates: Int
    public internal(set) var histogram: AbsHistogram

    /// - Parameters:
    ///   - bits: the quantization bits, 1...16.
    ///   - bins: histogram bins.
    ///   - candidates: thresholds tried, evenly spaced in `(0, range]`.
    ///   - range: a known `max |x|` (see `AbsHistogram`); nil to take it from the data.
    public init(bits: Int = 8, bins: Int = 2048, candidates: Int = 256, range: Float? = nil) {
        precondition(FakeQuant.bitRange.contains(bits), "bits \(bits) outside \(FakeQuant.bitRange)")
        precondition(candidates > 0, "candidates must be > 0")
        self.bits = bits
        self.candidates = candidates
        histogram = AbsHistogram(bins: bins, range: range)
    }

    public mutating func observe(_ x: Tensor) { histogram.add(x) }

    public var scale: Float { Self.threshold(histogram, bits: bits, candidates: candidates) }

    /// The MSE-optimal threshold of `histogram` among `candidates` evenly spaced ones (0 for an empty one).
    public static func threshold(_ histogram: AbsHistogram, bits: Int, candidates: Int = 256) -> Float {
        guard histogram.width > 0, histogram.total > 0 else { return 0 }
        var best = (error: Double.infinity, scale: histogram.range)
        for k in 1...candidates {
            let s = histogram.range * Float(k) / Float(candidates)
            let e = histogram.quantizationError(threshold: s, bits: bits)
            if e < best.error { best = (e, s) }
        }
        return best.scale
    }
}
