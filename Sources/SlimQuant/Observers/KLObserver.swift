import Foundation
import SlimTensor

/// Entropy calibration (Paddle's `KL`, after TensorRT): the clip threshold whose quantized
/// distribution of `|x|` diverges least from the observed one.
///
/// With a histogram of `|x|` in `n` bins (2048) and `L = 2^(b-1)` levels (128 for 8 bits), for
/// each candidate `i` in `max(startBin, L) ... n` bins (threshold `i * width`):
/// 1. reference `P = counts[0 ..< i]`, the clipped values (`sum counts[i...]`) added to `P[i-1]`;
/// 2. candidate `Q`: `counts[0 ..< i]` merged into `L` groups of `i / L` bins (the last group
///    takes the remainder), each group's total spread evenly over its bins where `P > 0`;
/// 3. `KL(P || Q) = sum_{P[k] > 0} p_k * log(p_k / q_k)` with `P`, `Q` normalised.
/// The threshold is `i * width` for the `i` with the smallest divergence (the first on ties);
/// candidates where some `P[k] > 0` gets `Q[k] = 0` (an empty last group) are skipped.
///
/// Where the search starts: Paddle's calibration starts at half the bins (`startBin = n / 2`, the
/// default: the threshold is at least half of `max |x|`); TensorRT's starts at `L` (pass
/// `startBin: 128`). On our MobileNetV1 the TensorRT start clipped early layers to a fifth of their
/// range and lost 9 points of top-1 (README, Post-training quantization); the Paddle start lost 0.2.
///
/// Bin 0 first takes the count of bin 1: after a ReLU most values are exact zeros, and that spike
/// (exact in `Q` only while a group is one bin wide) would otherwise push the choice to the
/// narrowest ranges; NVIDIA's entropy calibrator flattens it the same way. TensorRT's slide
/// returns `(i + 0.5) * width`; we return the edge of the clipped range, half a bin lower. With
/// no more bins than levels nothing is clipped (`s = range`).
///
/// The method is made for 8 bits. With few levels (4 bits: 8) on a spiky histogram (normalized
/// input pixels take 256 values, one of them most of the time) the smearing of the spikes costs
/// more than clipping, and from a low `startBin` the search can pick a tiny threshold; `mse` or
/// `mix` suit low bit widths better.
public struct KLObserver: Observer {
    public let bits: Int
    /// The fewest bins a candidate range spans (nil: half the bins, as Paddle).
    public let startBin: Int?
    public internal(set) var histogram: AbsHistogram

    /// - Parameters:
    ///   - bits: the quantization bits, 1...16 (levels `2^(bits-1)`).
    ///   - bins: histogram bins.
    ///   - startBin: the smallest candidate range in bins (nil: `bins / 2`; TensorRT: 128).
    ///   - range: a known `max |x|` (see `AbsHistogram`); nil to take it from the data.
    public init(bits: Int = 8, bins: Int = 2048, startBin: Int? = nil, range: Float? = nil) {
        precondition(FakeQuant.bitRange.contains(bits), "bits \(bits) outside \(FakeQuant.bitRange)")
        self.bits = bits
        self.startBin = startBin
        histogram = AbsHistogram(bins: bins, range: range)
    }

    public mutating func observe(_ x: Tensor) { histogram.add(x) }

    public var scale: Float { Self.threshold(histogram, bits: bits, startBin: startBin) }

    /// The KL-optimal threshold of `histogram` for `bits` (0 for an empty one).
    public static func threshold(_ histogram: AbsHistogram, bits: Int, startBin: Int? = nil) -> Float {
        var counts = histogram.counts
        let n = counts.count, levels = 1 << (bits - 1)
        guard histogram.width > 0, histogram.total > 0 else { return 0 }
        guard n > levels else { return histogram.range }
        counts[0] = counts[1]
        guard counts.reduce(0, +) > 0 else { return histogram.range }
        var outliers = Array(repeating: 0.0, count: n + 1)   // outliers[i] = sum counts[i...]
        for k in stride(from: n - 1, through: 0, by: -1) { outliers[k] = outliers[k + 1] + counts[k] }
        var best = (divergence: Double.infinity, bins: n)
        let start = max(startBin ?? n / 2, levels, 1)
        guard start <= n else { return histogram.range }
        for i in start...n {
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
