import SlimTensor

/// HAT's `mix` calibration: per tensor, the threshold of `abs_max`, `avg`, `hist`, `KL` or `mse`
/// with the lowest quantization MSE on the observed histogram (`AbsHistogram.quantizationError`).
///
/// `chosen` names the winner (the first in that order on a tie), for reports.
public struct MixObserver: Observer {
    public let bits: Int
    public let percentile: Double
    var absMax = AbsMaxObserver()
    var avg = AvgObserver()
    public internal(set) var histogram: AbsHistogram

    /// - Parameters: as `HistObserver` and `KLObserver`.
    public init(bits: Int = 8, percentile: Double = 0.9999, bins: Int = 2048, range: Float? = nil) {
        precondition(FakeQuant.bitRange.contains(bits), "bits \(bits) outside \(FakeQuant.bitRange)")
        self.bits = bits
        self.percentile = percentile
        histogram = AbsHistogram(bins: bins, range: range)
    }

    public mutating func observe(_ x: Tensor) {
        absMax.observe(x)
        avg.observe(x)
        histogram.add(x)
    }

    /// Each method's threshold, in the order ties are broken.
    public var candidates: [(algorithm: CalibrationAlgorithm, scale: Float)] {
        [(.absMax, absMax.scale), (.avg, avg.scale),
         (.hist, HistObserver.threshold(histogram, percentile: percentile)),
         (.kl, KLObserver.threshold(histogram, bits: bits)),
         (.mse, MSEObserver.threshold(histogram, bits: bits))]
    }

    /// The winning method and its threshold.
    public var choice: (algorithm: CalibrationAlgorithm, scale: Float) {
        var best = (algorithm: CalibrationAlgorithm.absMax, scale: absMax.scale, error: Double.infinity)
        for c in candidates {
            let e = histogram.quantizationError(threshold: c.scale, bits: bits)
            if e < best.error { best = (c.algorithm, c.scale, e) }
        }
        return (best.algorithm, best.scale)
    }

    public var chosen: CalibrationAlgorithm { choice.algorithm }
    public var scale: Float { choice.scale }
}
