/// How post-training quantization picks an activation threshold (`algo`, Paddle's names).
public enum CalibrationAlgorithm: String, CaseIterable, Codable, Sendable {
    /// `AbsMaxObserver`: the largest `|x|` over all batches.
    case absMax = "abs_max"
    /// `AvgObserver`: the mean of the per-batch maxima.
    case avg
    /// `HistObserver`: a percentile of `|x|` (`hist_percent`).
    case hist
    /// `KLObserver`: entropy calibration (Paddle's search range; TensorRT's method).
    case kl = "KL"
    /// `MSEObserver`: the threshold with the least quantization MSE.
    case mse
    /// `MixObserver`: per tensor, the method above with the least quantization MSE (HAT).
    case mix

    /// Whether the observers are histograms that want `max |x|` from a first pass.
    public var usesHistogram: Bool { ![.absMax, .avg].contains(self) }

    /// A fresh observer of this kind.
    /// - Parameter range: `max |x|` of the tensor over the calibration batches, for histograms.
    public func makeObserver(bits: Int = 8, percentile: Double = 0.9999, bins: Int = 2048, range: Float? = nil) -> any Observer {
        switch self {
        case .absMax: return AbsMaxObserver()
        case .avg: return AvgObserver()
        case .hist: return HistObserver(percentile: percentile, bins: bins, range: range)
        case .kl: return KLObserver(bits: bits, bins: bins, range: range)
        case .mse: return MSEObserver(bits: bits, bins: bins, range: range)
        case .mix: return MixObserver(bits: bits, percentile: percentile, bins: bins, range: range)
        }
    }
}
