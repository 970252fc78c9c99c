import Foundation
import SlimTensor

/// Entropy calibration (TensorRT's, Paddle's `KL`): the clip threshold whose quantized
/// distribution of `|x|` diverges least from the observed one.
///
/// With a histogram of `|x|` in `n` bins (2048) and `L = 2^(b-1)` levels (128 for 8 bits), for
/// each candidate `i` in `L ... n` bins (threshold `i * width`):
/// 1. reference `P = counts[0 ..< i]`, the clipped values (`sum counts[i...]`) added to `P[i-1]`;
/// 2. candidate `Q`: `counts[0 ..< i]` merged into `L` groups of `i / L` bins (the last group
///    takes the remainder), each group's total spread evenly over its bins where `P > 0`;
/// 3. `KL(P || Q) = sum_{P[k] > 0} p_k * log(p_k / q_k)` with `P`, `Q` normalised.
/// The threshold is `i * width` for the `i` with the smallest divergence (the first on ties);
/// candidates where some `P[k] > 0` gets `Q[k] = 0` (an empty last group) are skipped.
///
/// Bin 0 first takes the count of bin 1: after a ReLU most values are exact zeros, and that spike
/// (exact in `Q` only while a group is one bin wide) would otherwise push the choice to the
/// narrowest ranges; NVIDIA's entropy calibrator flattens it the same way. TensorRT's slide
/// returns `(i + 0.5) * width`; we return the edge of the clipped range, half a bin lower. With fewer bins than levels nothing is clipped (`s = range`). When all values lie
/// in fewer than `L` bins below one far outlier, no candidate clips (`s = max |x|`): the search
/// only looks at ranges of at least `L` bins, as TensorRT's.
///
/// The method is made for 8 bits. With few levels (4 bits: 8) on a spiky histogram (normalized
/// input pixels take 256 values, one of them most of the time) the smearing of the spikes costs
/// more than clipping nearly everything, and the search can pick a tiny threshold; `mse` or `mix`
/// suit low bit widths better.
public struct KLObserver: Observer {
    public let bits: Int
    public private(set) var histogram: AbsHistogram

    /// - Parameters:
    ///   - bits: the quantization bits, 1...16 (levels `2^(bits-1)`).
    ///   - bins: histogram bins.
    ///   - range: a known `max |x|` (see `AbsHistogram`); nil to take it from the data.
    public init(bits: Int = 8, bins: Int = 2048, range: Float? = nil) {
        precondition(FakeQuant.bitRange.contains(bits), "bits \(bits) outside \(FakeQuant.bitRange)")
        self.bits = bits
        histogram = AbsHistogram(bins: bins, range: range)
    }

    public mutating func observe(_ x: Tensor) { histogram.add(x) }

    public var scale: Float { Self.threshold(histogram, bits: bits) }

    /// The KL-optimal threshold of `histogram` for `bits` (0 for an empty one).
    public static func threshold(_ histogram: AbsHistogram, bits: Int) -> Float {
        var counts = histogram.counts
        let n = counts.count, levels = 1 << (bits - 1)
        guard histogram.width > 0, histogram.total > 0 else { return 0 }
        guard n > levels else { return histogram.range }
        counts[0] = counts[1]
        guard counts.reduce(0, +) > 0 else { return histogram.range }
        var outliers = Array(repeating: 0.0, count: n + 1)   // outliers[i] = sum counts[i...]
        for k in stride(from: n - 1, through: 0, by: -1) { outliers[k] = outliers[k + 1] + counts[k] }
        var best = (divergence: Double.infinity, bins: n)
        for i in levels...n {
            guard let d = divergence(counts, clippedAt: i, outliers: outliers[i], levels: levels), d < best.divergence else { continue }
            best = (d, i)
        }
        return Float(best.bins) * histogram.width
    }

    /// `KL(P || Q)` of the candidate clipping at `i` bins; nil when some `P[k] > 0` has `Q[k] = 0`.
    public static func divergence(_ counts: [Double], clippedAt i: Int, outliers: Double, levels: Int) -> Double? {
        var p = Array(counts[0..<i])
        p[i - 1] += outliers
        let pTotal = p.reduce(0, +), qTotal = pTotal - outliers
        guard pTotal > 0, qTotal > 0 else { return nil }
        let merged = i / levels
        var kl = 0.0
        for j in 0..<levels {
            let start = j * merged, stop = j == levels - 1 ? i : start + merged
            var groupTotal = 0.0, nonZero = 0
            for k in start..<stop {
                groupTotal += counts[k]
                if p[k] > 0 { nonZero += 1 }
            }
            guard nonZero > 0 else { continue }
            guard groupTotal > 0 else { return nil }
            let q = groupTotal / Double(nonZero) / qTotal
            for k in start..<stop where p[k] > 0 {
                let pk = p[k] / pTotal
                kl += pk * log(pk / q)
            }
        }
        return kl
    }
}
