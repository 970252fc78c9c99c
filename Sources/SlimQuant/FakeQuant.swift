import SlimGraph
import SlimTensor

/// The arithmetic of symmetric fake quantization (docs/ARCHITECTURE.md section 6), shared by the
/// fake-quant ops and the passes so that QAT, frozen and INT8 programs round identically.
///
/// With `b` bits, `bin = 2^(b-1) - 1` and the quantized range is `[-bin, bin]` (no zero point):
///
///     q = round(bin / s * clip(x, -s, s))      round half away from zero (2.5 -> 3, -2.5 -> -3)
///     x ≈ q * s / bin
///
/// The factor `bin / s` is computed once and multiplied in (`x * (bin / s)`), everywhere, so the
/// freeze pass's `round(w / s * bin)` gives bit for bit the integers the QAT graph used.
///
/// Degenerate cases, by design:
/// - a scale that is zero, negative or not finite (an all-zero tensor, an untrained state) is
///   replaced by `minimumScale` for the arithmetic, so nothing divides by zero;
/// - 1 bit gives `bin = 0`: every value quantizes to 0, and dequantizing by a zero range gives 0.
public enum FakeQuant {
    /// Valid `bit_length` values.
    public static let bitRange = 1...16

    /// The scale used in place of one that is `<= 0` or not finite.
    public static let minimumScale: Float = 1e-8

    /// `bin = 2^(b-1) - 1`, the largest quantized magnitude with `bits` bits (0 for 1 bit).
    public static func bin(bits: Int) -> Float {
        precondition(bitRange.contains(bits), "bits \(bits) outside \(bitRange)")
        return Float((1 << (bits - 1)) - 1)
    }

    /// `s` if it is a positive finite number, else `minimumScale`.
    public static func guarded(_ s: Float) -> Float { s.isFinite && s > 0 ? s : minimumScale }

    /// `round(bin / s * clip(x, -s, s))`, half away from zero, with `s` guarded.
    @inline(__always)
    public static func quantize(_ x: Float, scale s: Float, bin: Float) -> Float {
        let s = guarded(s)
        return (min(max(x, -s), s) * (bin / s)).rounded(.toNearestOrAwayFromZero)
    }

    /// The checked `bit_length` attr (default 8) of `op`.
    /// - Throws: `GraphError` when it is outside 1...16.
    static func bits(of op: OpDesc, attr: String = "bit_length") throws -> Int {
        let bits = op.int(attr, default: 8)
        guard bitRange.contains(bits) else {
            throw GraphError("op '\(op.type)': \(attr) \(bits) is outside \(bitRange.lowerBound)...\(bitRange.upperBound)")
        }
        return bits
    }

    /// `max |x|` (0 for an empty tensor).
    public static func absMax(_ x: Tensor) -> Float {
        x.withUnsafeFloats { $0.reduce(Float(0)) { max($0, abs($1)) } }
    }

    /// `max |x|` of each of the `channels` contiguous blocks of `x` (channel axis 0).
    public static func channelAbsMax(_ x: Tensor, channels: Int) -> [Float] {
        precondition(channels > 0 && x.count % channels == 0, "\(channels) channels in \(x.shape)")
        let block = x.count / channels
        return x.withUnsafeFloats { p in
            (0..<channels).map { c in p[c * block ..< (c + 1) * block].reduce(Float(0)) { max($0, abs($1)) } }
        }
    }

    /// Quantizes `x` with one scale per contiguous block along axis 0 (one scale: per tensor).
    public static func quantize(_ x: Tensor, scales: [Float], bits: Int) -> Tensor {
        precondition(!scales.isEmpty && x.count % scales.count == 0, "\(scales.count) scales for \(x.shape)")
        let bin = bin(bits: bits), block = x.count / scales.count
        var out = Tensor(shape: x.shape)
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                for (c, s) in scales.enumerated() {
                    for i in c * block ..< (c + 1) * block { dst[i] = quantize(src[i], scale: s, bin: bin) }
                }
            }
        }
        return out
    }

    /// `out = x * s[c] * extra / range`, `c` the index along `axis` (one scale: per tensor);
    /// a zero `range` gives 0 (the 1-bit case).
    public static func dequantize(_ x: Tensor, scales: [Float], axis: Int, extra: Float = 1, range: Float) -> Tensor {
        let inner = x.shape.count > axis ? x.shape[(axis + 1)...].reduce(1, *) : 1
        let channels = scales.count
        var out = Tensor(shape: x.shape)
        guard range != 0 else { return out }
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                for i in 0..<src.count {
                    let s = channels == 1 ? scales[0] : scales[(i / inner) % channels]
                    dst[i] = src[i] * s * extra / range
                }
            }
        }
        return out
    }

    /// The straight-through gradient of a quantizer: `dOut` where `|x| <= s[c]`, 0 elsewhere
    /// (`c` the block along axis 0, as in `quantize(_:scales:bits:)`; `s` guarded as in `quantize`).
    public static func straightThrough(_ grad: Tensor, input x: Tensor, scales: [Float]) -> Tensor {
        precondition(grad.shape == x.shape, "gradient \(grad.shape) for input \(x.shape)")
        let block = x.count / scales.count
        var out = Tensor(shape: x.shape)
        x.withUnsafeFloats { src in
            grad.withUnsafeFloats { g in
                out.withUnsafeMutableFloats { dst in
                    for (c, s) in scales.map(guarded).enumerated() {
                        for i in c * block ..< (c + 1) * block where abs(src[i]) <= s { dst[i] = g[i] }
                    }
                }
            }
        }
        return out
    }

    /// The per-tensor fake-quant ops' forward: `s` is the stored `InScale` when the op runs with
    /// its stored scale (eval), else `train(x)`; then `emitPerTensor`.
    static func forwardPerTensor(_ context: OpContext, train: (Tensor) throws -> Float) throws {
        let op = context.op
        let x = try context.floatInput("X")
        let s = context.usesStoredScale ? try scalar(try context.input("InScale"), slot: "InScale", of: op) : try train(x)
        try emitPerTensor(context, x: x, scale: s)
    }

    /// Writes `Out = quantize(x, s)` (the op's `bit_length`) and `OutScale = [s]`, and saves `s` for
    /// the straight-through backward.
    static func emitPerTensor(_ context: OpContext, x: Tensor, scale s: Float) throws {
        context.setOutput("Out", 0, quantize(x, scales: [s], bits: try bits(of: context.op)))
        context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
        context.saved["scales"] = [s]
    }

    /// The single value of a `[1]`-shaped f32 input such as `InScale`.
    /// - Throws: `GraphError` when the tensor is not one f32 value.
    static func scalar(_ t: Tensor, slot: String, of op: OpDesc) throws -> Float {
        guard t.dtype == .f32, t.count == 1 else {
            throw GraphError("op '\(op.type)': \(slot) must be one f32 value, got \(t.dtype)\(t.shape)")
        }
        return t.withUnsafeFloats { $0[0] }
    }
}
