extension Kernels {
    /// Quantizes f32 values to integers: q = clamp(round(x * scale), quantMin, quantMax), rounding half
    /// away from zero (C `round`, Paddle's rule; oneDNN's reorders round half to even, so this is a
    /// plain loop). `scale` is levels per unit: Paddle's bin / s. NaN becomes 0.
    ///
    /// Default ranges are symmetric for s8, [-127, 127] (Paddle never produces -128), and [0, 255]
    /// for u8; pass `quantMax: 127` to reproduce Paddle's clip(x, -s, s) on u8 activations.
    public static func quantize(_ x: Tensor, scale: Float, to dtype: DType, quantMin: Int? = nil, quantMax: Int? = nil) -> Tensor {
        precondition(x.dtype == .f32, "quantize takes f32, got \(x.dtype)")
        switch dtype {
        case .s8: return quantize(x, scale, Int8.self, dtype, lo: quantMin ?? -127, hi: quantMax ?? 127)
        case .u8: return quantize(x, scale, UInt8.self, dtype, lo: quantMin ?? 0, hi: quantMax ?? 255)
        default: preconditionFailure("quantize to \(dtype): only s8 and u8")
        }
    }

    private static func quantize<T: FixedWidthInteger>(_ x: Tensor, _ scale: Float, _: T.Type, _ dtype: DType, lo: Int, hi: Int) -> Tensor {
        precondition(Int(T.min) <= lo && lo <= hi && hi <= Int(T.max), "quantize range \(lo)...\(hi) outside \(dtype)")
        let (low, high) = (Float(lo), Float(hi))
        var q = Tensor(shape: x.shape, dtype: dtype)
        x.withUnsafeFloats { src in
            q.withUnsafeMutableElements(as: T.self) { dst in
                for i in src.indices {
                    let v = (src[i] * scale).rounded(.toNearestOrAwayFromZero)
                    dst[i] = v.isNaN ? 0 : T(min(max(v, low), high))
                }
            }
        }
        return q
    }

    /// Dequantizes integers (s8, u8, s32) to f32: x = q * scale. Here `scale` is the value of one
    /// level (Paddle's s / bin), the reciprocal of the one `quantize` takes.
    public static func dequantize(_ q: Tensor, scale: Float) -> Tensor {
        var x = Tensor(shape: q.shape)
        x.withUnsafeMutableFloats { dst in
            switch q.dtype {
            case .s8: q.withUnsafeElements(as: Int8.self) { for i in $0.indices { dst[i] = Float($0[i]) * scale } }
            case .u8: q.withUnsafeElements(as: UInt8.self) { for i in $0.indices { dst[i] = Float($0[i]) * scale } }
            case .s32: q.withUnsafeElements(as: Int32.self) { for i in $0.indices { dst[i] = Float($0[i]) * scale } }
            case .f32: preconditionFailure("dequantize takes an integer tensor, got f32")
            }
        }
        return x
    }
}
