import SlimTensor

/// A histogram of `|x|` over `[0, range]` in `bins` equal bins of `width = range / bins`, the
/// statistics behind `HistObserver`, `KLObserver`, `MSEObserver` and `MixObserver`.
///
/// `|x|` falls in bin `min(floor(|x| / width), bins - 1)`. With a fixed `range` (from a first
/// calibration pass that found `max |x|`, as Paddle and TensorRT do) larger values are counted in
/// the last bin. Without one, the first batch with a non-zero value sets `range = max |x|`, and a
/// later batch beyond it doubles the range (merging neighbouring bins, which is exact) until it
/// fits, so one pass suffices at up to half the resolution. Values that are not finite are skipped.
public struct AbsHistogram: Sendable, Equatable {
    public let bins: Int
    /// Counts per bin.
    public internal(set) var counts: [Double]
    /// The bin width (0 until a non-zero value or a fixed range set it).
    public internal(set) var width: Float
    /// Whether the range was given (values beyond it are clipped into the last bin).
    public let isFixed: Bool

    /// - Parameters:
    ///   - bins: number of bins (> 0).
    ///   - range: a fixed upper end; nil or `<= 0` to take it from the data.
    public init(bins: Int = 2048, range: Float? = nil) {
        precondition(bins > 0, "a histogram needs bins > 0, got \(bins)")
        self.bins = bins
        counts = Array(repeating: 0, count: bins)
        let fixed = (range ?? 0).isFinite && (range ?? 0) > 0
        isFixed = fixed
        width = fixed ? range! / Float(bins) : 0
    }

    /// The upper end of the last bin.
    public var range: Float { width * Float(bins) }
    /// The number of values counted.
    public var total: Double { counts.reduce(0, +) }
    /// The centre of bin `i`, `(i + 0.5) * width`.
    public func center(_ i: Int) -> Float { (Float(i) + 0.5) * width }

    /// Counts the finite elements of `x` (f32).
    public mutating func add(_ x: Tensor) {
        let m = AbsMaxObserver.finiteAbsMax(x)
        if width == 0 {
            guard m > 0 else {
                counts[0] += Double(x.withUnsafeFloatsInMemoryOrder { $0.lazy.filter(\.isFinite).count })
                return
            }
            width = m / Float(bins)
        }
        if !isFixed && m > range { grow(toCover: m) }
        let last = bins - 1, inverse = 1 / width
        counts.withUnsafeMutableBufferPointer { c in
            x.withUnsafeFloatsInMemoryOrder { p in  // counts do not depend on the order
                for v in p where v.isFinite { c[min(Int(abs(v) * inverse), last)] += 1 }
            }
        }
    }

    /// Doubles the width (adding pairs of bins) until `range >= m`.
    private mutating func grow(toCover m: Float) {
        var factor = 1
        while width * Float(factor * bins) < m { factor *= 2 }
        var merged = Array(repeating: 0.0, count: bins)
        for (i, c) in counts.enumerated() { merged[i / factor] += c }
        counts = merged
        width *= Float(factor)
    }

    /// The mean squared error of quantizing the counted values with threshold `s` and `bits`,
    /// each value taken at its bin centre `v`:
    ///
    ///     mse(s) = sum_i counts[i] * (v_i - round(bin / s * min(v_i, s)) * s / bin)^2 / total
    ///
    /// (rounding as `FakeQuant.quantize`; with 1 bit everything dequantizes to 0).
    public func quantizationError(threshold s: Float, bits: Int) -> Double {
        let n = total
        guard n > 0 else { return 0 }
        let bin = FakeQuant.bin(bits: bits), step = bin == 0 ? 0 : FakeQuant.guarded(s) / bin
        var error = 0.0
        for (i, c) in counts.enumerated() where c > 0 {
            let v = center(i)
            let d = Double(v - FakeQuant.quantize(v, scale: s, bin: bin) * step)
            error += c * d * d
        }
        return error / n
    }
}
