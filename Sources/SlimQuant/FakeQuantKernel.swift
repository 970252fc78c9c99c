/// The element loops of fake quantization, 16 floats at a time, bit for bit the scalar formulas of
/// `FakeQuant` (`quantize`, the dequantizers' `q * s / range`, the straight-through mask, `max |x|`).
///
/// Rounding half away from zero without a rounding instruction: for `0 <= a < 2^23`,
/// `r = (a + 2^23) - 2^23` is `a` rounded to nearest, ties to even (exact float arithmetic), and
/// `a - r` is exact, so a tie rounded down (`a - r == 0.5`) is moved up: `r + 1`. The sign of the
/// value is copied back onto the magnitude, as `rounded(.toNearestOrAwayFromZero)` keeps it
/// (`-0.3 -> -0.0`). Quantized magnitudes are at most `bin <= 32767`, far below `2^23`; a vector
/// holding a NaN, or a factor `bin / s` that is not finite, goes through the scalar formula.
enum FakeQuantKernel {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    /// `max |x|` over `x`, 0 when empty (a NaN is skipped, as `max(m, abs(x))` skips it).
    static func absMax(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let p = x.baseAddress else { return 0 }
        let n = x.count, whole = n - n % width
        var m = Vector(repeating: 0)
        var i = 0
        while i < whole {
            let a = magnitude(load(p + i))
            m = m.replacing(with: a, where: a .>= m)
            i += width
        }
        var result = m.max()
        while i < n { result = max(result, abs(p[i])); i += 1 }
        return result
    }

    /// `max |x|` over the finite elements of `x`, 0 when there are none (the observers' maximum).
    static func finiteAbsMax(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let p = x.baseAddress else { return 0 }
        let n = x.count, whole = n - n % width, infinity = Vector(repeating: .infinity)
        var m = Vector(repeating: 0)
        var i = 0
        while i < whole {
            let a = magnitude(load(p + i))
            m = m.replacing(with: a, where: (a .< infinity) .& (a .>= m))
            i += width
        }
        var result = m.max()
        while i < n {
            if p[i].isFinite { result = max(result, abs(p[i])) }
            i += 1
        }
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
        var i = 0
        if factor.isFinite {
            let whole = n - n % width
            let lower = Vector(repeating: -g), upper = Vector(repeating: g), f = Vector(repeating: factor)
            let scale = Vector(repeating: s), range = Vector(repeating: bin)
            while i < whole {
                let q = rounded(clamp(load(source + i), lower, upper) * f)
                if (q .!= q) == SIMDMask(repeating: false) {
                    store(dequantized ? q * scale / range : q, target + i)
                } else {
                    for k in i ..< i + width { target[k] = scalar(source[k], s: s, bin: bin, dequantized: dequantized) }
                }
                i += width
            }
        }
        while i < n { target[i] = scalar(source[i], s: s, bin: bin, dequantized: dequantized); i += 1 }
    }

    /// `out[i] = x[i] * s * extra / range` (the dequantizers, left to right; `range != 0`).
    static func dequantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                           scale s: Float, extra: Float, range: Float) {
        precondition(out.count == x.count, "\(x.count) inputs, \(out.count) outputs")
        guard let source = x.baseAddress, let target = out.baseAddress else { return }
        let n = x.count, whole = n - n % width
        let scale = Vector(repeating: s), e = Vector(repeating: extra), r = Vector(repeating: range)
        var i = 0
        while i < whole {
            store(load(source + i) * scale * e / r, target + i)
            i += width
        }
        while i < n { target[i] = source[i] * s * extra / range; i += 1 }
    }

    /// `out[i] = |x[i]| <= g ? grad[i] : 0`, `g` the guarded `s` (the straight-through estimator).
    static func straightThrough(_ grad: UnsafeBufferPointer<Float>, input x: UnsafeBufferPointer<Float>,
                                into out: UnsafeMutableBufferPointer<Float>, scale s: Float) {
        precondition(grad.count == x.count && out.count == x.count, "\(grad.count) gradients, \(x.count) inputs, \(out.count) outputs")
        guard let dy = grad.baseAddress, let source = x.baseAddress, let target = out.baseAddress else { return }
        let g = FakeQuant.guarded(s), n = x.count, whole = n - n % width
        let limit = Vector(repeating: g), zero = Vector(repeating: 0)
        var i = 0
        while i < whole {
            store(zero.replacing(with: load(dy + i), where: magnitude(load(source + i)) .<= limit), target + i)
            i += width
        }
        while i < n { target[i] = abs(source[i]) <= g ? dy[i] : 0; i += 1 }
    }

    /// The scalar formula: `FakeQuant.quantize`, then `q * s / bin` when `dequantized`.
    @inline(__always)
    static func scalar(_ x: Float, s: Float, bin: Float, dequantized: Bool) -> Float {
        let q = FakeQuant.quantize(x, scale: s, bin: bin)
        guard dequantized else { return q }
        return bin == 0 ? 0 : q * s / bin
    }

    /// Each lane rounded to nearest, ties away from zero, its sign kept (see the type's comment);
    /// exact for magnitudes below 2^23.
    @inline(__always)
    static func rounded(_ v: Vector) -> Vector {
        let a = magnitude(v), magic = Vector(repeating: 8_388_608)
        let r = (a + magic) - magic
        let away = r.replacing(with: r + Vector(repeating: 1), where: a - r .== Vector(repeating: 0.5))
        let sign = unsafeBitCast(v, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x8000_0000)
        return unsafeBitCast(unsafeBitCast(away, to: SIMD16<UInt32>.self) | sign, to: Vector.self)
    }

    /// `min(max(x, lower), upper)` lane by lane, with `Swift.max`'s and `Swift.min`'s choices (NaN stays NaN).
    @inline(__always)
    private static func clamp(_ x: Vector, _ lower: Vector, _ upper: Vector) -> Vector {
        let low = x.replacing(with: lower, where: lower .>= x)
        return low.replacing(with: upper, where: upper .< low)
    }

    /// Each lane's absolute value (its sign bit cleared, as `abs`).
    @inline(__always)
    private static func magnitude(_ v: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x7FFF_FFFF), to: Vector.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    private static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }
}
