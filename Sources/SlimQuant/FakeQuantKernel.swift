/// The element loops of fake quantization, bit for bit the scalar formulas of `FakeQuant`
/// (`quantize`, the dequantizers' `q * s / range`, the straight-through mask, `max |x|`), written
/// as branch-free loops over raw pointers that the optimizer turns into vector code.
///
/// Rounding half away from zero without a rounding call (which would stop vectorization): for
/// `0 <= a < 2^23`, `r = (a + 2^23) - 2^23` is `a` rounded to nearest, ties to even (exact float
/// arithmetic), and `a - r` is exact, so a tie rounded down (`a - r == 0.5`) is moved up: `r + 1`.
/// The sign of the value is copied back onto the magnitude, as `rounded(.toNearestOrAwayFromZero)`
/// keeps it (`-0.3 -> -0.0`). Quantized magnitudes are at most `bin <= 32767`, far below `2^23`;
/// a factor `bin / s` that is not finite goes through the scalar formula. The maxima keep 16
/// running maxima (independent chains the optimizer can put in vector registers).
enum FakeQuantKernel {
    static let width = 16

    /// 1.5 * 2^23: for |c| <= 2^22, `(c + magic) - magic` is `c` rounded half to even, and the
    /// sum's low mantissa bits hold that integer.
    static let magic: Float = 12_582_912

    /// `c = clamp(v, lo, hi)` (NaN: 0) rounded to an integer-valued float, half to even
    /// (`(c + magic) - magic`) or half away from zero (`trunc(c + copysign(0.49999997, c))`:
    /// 0.49999997 is the float just below 1/2, so `n + 0.5` reaches `n + 1` and nothing below it
    /// does), for |lo|, |hi| <= 2^22. Shared by `int8_quantize` and the asymmetric float round trip
    /// (`FakeQuant.quantizeAsymmetric`); written without a rounding call or checked conversion, so
    /// that loops over it vectorize.
    @inline(__always)
    static func roundedLevel(_ v: Float, _ lo: Float, _ hi: Float, tiesToEven even: Bool) -> Float {
        let clamped = v < lo ? lo : (v > hi ? hi : v)
        let c = v != v ? 0 : clamped
        return even ? (c + magic) - magic : (c + Float(sign: c.sign, exponentBitPattern: 125, significandBitPattern: 0x7f_ffff)).rounded(.towardZero)
    }

    /// `max |x|` over `x`, 0 when empty (a NaN is skipped, as `max(m, abs(x))` skips it).
    static func absMax(_ x: UnsafeBufferPointer<Float>) -> Float {
        maximum(x) { $0 }
    }

    /// `max |x|` over the finite elements of `x`, 0 when there are none (the observers' maximum).
    static func finiteAbsMax(_ x: UnsafeBufferPointer<Float>) -> Float {
        maximum(x) { $0 < .infinity ? $0 : 0 }
    }

    /// The largest `keep(|x|)` (`keep` maps what to skip to 0), as `max(m, keep(abs(x)))` in order.
    @inline(__always)
    private static func maximum(_ x: UnsafeBufferPointer<Float>, _ keep: (Float) -> Float) -> Float {
        guard let p = x.baseAddress else { return 0 }
        let n = x.count, whole = n - n % width
        var m = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                 Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var i = 0
        while i < whole {
            withUnsafeMutableBytes(of: &m) { raw in
                let lanes = raw.bindMemory(to: Float.self)
                for k in 0..<width { lanes[k] = larger(lanes[k], keep(abs(p[i + k]))) }
            }
            i += width
        }
        var result = withUnsafeBytes(of: m) { $0.bindMemory(to: Float.self).reduce(Float(0)) { max($0, $1) } }
        while i < n { result = max(result, keep(abs(p[i]))); i += 1 }
        return result
    }

    /// `out[i] = dequantized ? q * s / bin : q` with `q = round(clip(x[i], -g, g) * (bin / g))`, `g`
    /// the guarded `s` (`FakeQuant.quantize`); dequantized with `bin == 0` (1 bit) every output is 0.
    static func quantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                         scale s: Float, bin: Float, dequantized: Bool) {
        precondition(out.count == x.count, "\(x.count) inputs, \(out.count) outputs")
        guard let source = x.baseAddress, let target = out.baseAddress else { return }
        let n = x.count
        if dequantized && bin == 0 {
            target.update(repeating: 0, count: n)
            return
        }
        let g = FakeQuant.guarded(s), factor = bin / g
        guard factor.isFinite else {
            for i in 0..<n { target[i] = scalar(source[i], s: s, bin: bin, dequantized: dequantized) }
            return
        }
        if dequantized {
            for i in 0..<n { target[i] = rounded(clipped(source[i], g) * factor) * s / bin }
        } else {
            for i in 0..<n { target[i] = rounded(clipped(source[i], g) * factor) }
        }
    }

    /// `out[i] = x[i] * s * extra / range` (the dequantizers, left to right; `range != 0`).
    static func dequantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                           scale s: Float, extra: Float, range: Float) {
        precondition(out.count == x.count, "\(x.count) inputs, \(out.count) outputs")
        guard let source = x.baseAddress, let target = out.baseAddress else { return }
        for i in 0..<x.count { target[i] = source[i] * s * extra / range }
    }

    /// `out[i] = |x[i]| <= g ? grad[i] : 0`, `g` the guarded `s` (the straight-through estimator).
    static func straightThrough(_ grad: UnsafeBufferPointer<Float>, input x: UnsafeBufferPointer<Float>,
                                into out: UnsafeMutableBufferPointer<Float>, scale s: Float) {
        precondition(grad.count == x.count && out.count == x.count, "\(grad.count) gradients, \(x.count) inputs, \(out.count) outputs")
        guard let dy = grad.baseAddress, let source = x.baseAddress, let target = out.baseAddress else { return }
        let g = FakeQuant.guarded(s)
        for i in 0..<x.count {
            let d = dy[i]  // read unconditionally: a load under the condition keeps the loop scalar
            target[i] = abs(source[i]) <= g ? d : 0
        }
    }

    /// `grad[i] = |x[i]| <= g ? grad[i] : 0` in place, `g` the guarded `s`: `straightThrough`
    /// written over the gradient (a separate kernel: a loop whose output aliases an input would
    /// not be vectorized).
    static func maskStraightThrough(_ grad: UnsafeMutableBufferPointer<Float>, input x: UnsafeBufferPointer<Float>, scale s: Float) {
        precondition(grad.count == x.count, "\(grad.count) gradients, \(x.count) inputs")
        guard let dy = grad.baseAddress, let source = x.baseAddress else { return }
        let g = FakeQuant.guarded(s)
        for i in 0..<x.count {
            let d = dy[i]  // read unconditionally, as in `straightThrough`
            dy[i] = abs(source[i]) <= g ? d : 0
        }
    }

    /// `max |x|` as `absMax`, and whether every element of `x` is finite (no NaN, no infinity):
    /// then `|x[i]| <= guarded(max)` holds for every element, so the straight-through mask of a
    /// quantizer whose scale is this maximum is all ones. `x - x` is 0 for a finite `x` and NaN
    /// otherwise; their sum stays 0 exactly when all are finite.
    static func absMaxCheckingFinite(_ x: UnsafeBufferPointer<Float>) -> (max: Float, finite: Bool) {
        guard let p = x.baseAddress else { return (0, true) }
        let n = x.count, whole = n - n % width
        var m = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                 Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var z = m
        var i = 0
        while i < whole {
            withUnsafeMutableBytes(of: &m) { rawMax in
                withUnsafeMutableBytes(of: &z) { rawZero in
                    let lanes = rawMax.bindMemory(to: Float.self), zeros = rawZero.bindMemory(to: Float.self)
                    for k in 0..<width {
                        lanes[k] = larger(lanes[k], abs(p[i + k]))
                        zeros[k] += p[i + k] - p[i + k]
                    }
                }
            }
            i += width
        }
        var result = withUnsafeBytes(of: m) { $0.bindMemory(to: Float.self).reduce(Float(0)) { max($0, $1) } }
        var zero = withUnsafeBytes(of: z) { $0.bindMemory(to: Float.self).reduce(Float(0), +) }
        while i < n {
            result = max(result, abs(p[i]))
            zero += p[i] - p[i]
            i += 1
        }
        return (result, zero == 0)
    }

    /// `max(m, v)` (`v >= m ? v : m`) for `m` and `v` that are never -0, written `v > m ? v : m`,
    /// which is one `maxps`: the two differ only where `v == m`, equal values with the same bits
    /// then, and both keep `m` when `v` is NaN (skipped).
    @inline(__always)
    static func larger(_ m: Float, _ v: Float) -> Float { v > m ? v : m }

    /// `min(max(x, -g), g)` for `g > 0` (a guarded scale), written as the `maxps` / `minps`
    /// patterns: `max(x, -g)` is `-g >= x ? -g : x` and `-g > x ? -g : x` differs only where
    /// `x == -g`, the same bits as `-g` since `g != 0`; NaN stays NaN in both. `min(y, g)` is
    /// `g < y ? g : y` as written.
    @inline(__always)
    static func clipped(_ x: Float, _ g: Float) -> Float {
        let lowest = -g, up = lowest > x ? lowest : x
        return g < up ? g : up
    }

    /// The scalar formula: `FakeQuant.quantize`, then `q * s / bin` when `dequantized`.
    @inline(__always)
    static func scalar(_ x: Float, s: Float, bin: Float, dequantized: Bool) -> Float {
        let q = FakeQuant.quantize(x, scale: s, bin: bin)
        guard dequantized else { return q }
        return bin == 0 ? 0 : q * s / bin
    }

    /// `v` rounded to nearest, ties away from zero, its sign kept (see the type's comment); exact
    /// for magnitudes below 2^23 and NaN stays NaN.
    @inline(__always)
    static func rounded(_ v: Float) -> Float {
        let a = v.magnitude, r = (a + 8_388_608) - 8_388_608
        return Float(signOf: v, magnitudeOf: a - r == 0.5 ? r + 1 : r)
    }
}
