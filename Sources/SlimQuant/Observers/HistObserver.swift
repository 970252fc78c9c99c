import SlimTensor

/// A percentile of `|x|` (Paddle's `hist` calibration, `hist_percent`): the centre of the first
/// histogram bin `i` at which the cumulative share of values reaches `percentile`,
///
///     s = (i + 0.5) * width,   i = min { i : sum_{k <= i} counts[k] >= percentile * total }
///
/// so the largest `1 - percentile` of the values (by default 0.01 %) are clipped.
public struct HistObserver: Observer {
    public var percentile: Double
    public internal(set) var histogram: AbsHistogram

    /// - Parameters:
    ///   - percentile: the share of values kept unclipped, in (0, 1] (default 0.9999 = 99.99 %).
    ///   - bins: histogram bins.
    ///   - range: a known `max |x|` (see `AbsHistogram`); nil to take it from the data.
    public init(percentile: Double = 0.9999, bins: Int = 2048, range: Float? = nil) {
        precondition(percentile > 0 && percentile <= 1, "percentile \(percentile) outside (0, 1]")
        self.percentile = percentile
        histogram = AbsHistogram(bins: bins, range: range)
    }

    public mutating func observe(_ x: Tensor) { histogram.add(x) }

    public var scale: Float { Self.threshold(histogram, percentile: percentile) }

    /// The `percentile` threshold of `histogram` (0 for an empty one).
    public static func threshold(_ histogram: AbsHistogram, percentile: Double) -> Float {
        let wanted = percentile * histogram.total
        guard histogram.width > 0, wanted > 0 else { return 0 }
        var cumulative = 0.0
        for (i, c) in histogram.counts.enumerated() {
            cumulative += c
            // (1 - 1e-12): tolerate the rounding of percentile * total
            if cumulative >= wanted * (1 - 1e-12) { return histogram.center(i) }
        }
        return histogram.center(histogram.bins - 1)
    }
}
