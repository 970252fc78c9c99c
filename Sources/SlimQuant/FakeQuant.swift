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
/// - a scale below `minimumScale` (zero: an all-zero tensor, an untrained state; or tiny: a
///   channel weight decay has driven to 1e-38, where `bin / s` overflows to infinity), negative or
///   not finite is replaced by `minimumScale` for the arithmetic, so nothing divides by zero or
///   overflows;
/// - 1 bit gives `bin = 0`: every value quantizes to 0, and dequantizing by a zero range gives 0.
public enum FakeQuant {
    /// What a quantizer writes to `Out`: the integers `q`, or `q * s / bin` (a quantizer and its
    /// dequantizer fused, `FakeQuantizeDequantize`).
    public enum Output: Sendable { case quantized, dequantized }

    /// Valid `bit_length` values.
    public static let bitRange = 1...16

    /// The scale used in place of one that is smaller (or `<= 0`) or not finite.
    public static let minimumScale: Float = 1e-8

    /// `bin = 2^(b-1) - 1`, the largest quantized magnitude with `bits` bits (0 for 1 bit).
    public static func bin(bits: Int) -> Float {
        precondition(bitRange.contains(bits), "bits \(bits) outside \(bitRange)")
        return Float((1 << (bits - 1)) - 1)
    }

    /// `s` if it is a finite number `>= minimumScale`, else `minimumScale`.
    public static func guarded(_ s: Float) -> Float { s.isFinite && s >= minimumScale ? s : minimumScale }

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

    /// `max |x|` (0 for an empty tensor), read in the tensor's memory order (no reorder).
    public static func absMax(_ x: Tensor) -> Float {
        x.withUnsafeFloatsInMemoryOrder { FakeQuantKernel.parallelMax($0, FakeQuantKernel.absMax) }
    }

    /// Under data parallelism, the maximum of a value over every process (each passes its own,
    /// all get the same result, in the same op order); nil in a single process.
    public nonisolated(unsafe) static var batchMaxReduction: ((Float) -> Float)?

    /// The training observers' `max |x|` of a batch: with `batchMaxReduction`, the maximum over
    /// every process's shard, i.e. the abs max of the global batch.
    static func batchAbsMax(_ x: Tensor) -> Float {
        let m = absMax(x)
        return batchMaxReduction.map { $0(m) } ?? m
    }

    /// `max |x|` of each of the `channels` contiguous blocks of `x` (channel axis 0).
    public static func channelAbsMax(_ x: Tensor, channels: Int) -> [Float] {
        precondition(channels > 0 && x.count % channels == 0, "\(channels) channels in \(x.shape)")
        let block = x.count / channels
        return x.withUnsafeFloats { p in
            (0..<channels).map { c in FakeQuantKernel.absMax(UnsafeBufferPointer(rebasing: p[c * block ..< (c + 1) * block])) }
        }
    }

    /// Quantizes `x` with one scale per contiguous block along axis 0 (one scale: per tensor, in
    /// the tensor's layout).
    public static func quantize(_ x: Tensor, scales: [Float], bits: Int) -> Tensor {
        fake(x, scales: scales, bits: bits, .quantized)
    }

    /// `quantize(x, scales:bits:)` dequantized in the same pass: `q * s / bin` per element, `s` the
    /// element's block's scale as given (not guarded), bit for bit the dequantizers' output.
    public static func quantizeDequantize(_ x: Tensor, scales: [Float], bits: Int) -> Tensor {
        fake(x, scales: scales, bits: bits, .dequantized)
    }

    /// `quantize` or `quantizeDequantize`: one scale maps the elements in memory order (a blocked
    /// tensor stays blocked); per-block scales go over the plain elements.
    private static func fake(_ x: Tensor, scales: [Float], bits: Int, _ output: Output) -> Tensor {
        precondition(!scales.isEmpty && x.count % scales.count == 0, "\(scales.count) scales for \(x.shape)")
        let bin = bin(bits: bits), block = x.count / scales.count, dequantized = output == .dequantized
        if scales.count == 1 {
            return x.mapElements(Float.self, to: .f32, as: Float.self) { src, dst in
                FakeQuantKernel.forEachChunk(src.count) { r in
                    FakeQuantKernel.quantize(UnsafeBufferPointer(rebasing: src[r]), into: UnsafeMutableBufferPointer(rebasing: dst[r]),
                                             scale: scales[0], bin: bin, dequantized: dequantized)
                }
            }
        }
        return x.withUnsafeFloats { src in
            Tensor(shape: x.shape) { dst in
                FakeQuantKernel.forEachBlockRange(scales.count, blockSize: block) { channels in
                    for c in channels {
                        FakeQuantKernel.quantize(UnsafeBufferPointer(rebasing: src[c * block ..< (c + 1) * block]),
                                                 into: UnsafeMutableBufferPointer(rebasing: dst[c * block ..< (c + 1) * block]),
                                                 scale: scales[c], bin: bin, dequantized: dequantized)
                    }
                }
            }
        }
    }

    /// `out = x * s[c] * extra / range`, `c` the index along `axis` (one scale: per tensor);
    /// a zero `range` gives 0 (the 1-bit case).
    public static func dequantize(_ x: Tensor, scales: [Float], axis: Int, extra: Float = 1, range: Float) -> Tensor {
        let inner = x.shape.count > axis ? x.shape[(axis + 1)...].reduce(1, *) : 1
        let channels = scales.count
        guard range != 0 else { return Tensor(shape: x.shape) }
        if channels == 1 {
            return x.mapElements(Float.self, to: .f32, as: Float.self) { src, dst in
                FakeQuantKernel.forEachChunk(src.count) { r in
                    FakeQuantKernel.dequantize(UnsafeBufferPointer(rebasing: src[r]), into: UnsafeMutableBufferPointer(rebasing: dst[r]),
                                               scale: scales[0], extra: extra, range: range)
                }
            }
        }
        var out = Tensor(shape: x.shape)
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                for start in stride(from: 0, to: src.count, by: max(inner, 1)) {
                    let run = start ..< min(start + inner, src.count)
                    FakeQuantKernel.dequantize(UnsafeBufferPointer(rebasing: src[run]), into: UnsafeMutableBufferPointer(rebasing: dst[run]),
                                               scale: scales[(start / inner) % channels], extra: extra, range: range)
                }
            }
        }
        return out
    }

    /// The straight-through gradient of a quantizer: `dOut` where `|x| <= s[c]`, 0 elsewhere
    /// (`c` the block along axis 0, as in `quantize(_:scales:bits:)`; `s` guarded as in `quantize`).
    /// With one scale, in one pass over the gradient's layout when the input is held in the same one.
    public static func straightThrough(_ grad: Tensor, input x: Tensor, scales: [Float]) -> Tensor {
        precondition(grad.shape == x.shape, "gradient \(grad.shape) for input \(x.shape)")
        precondition(!scales.isEmpty && x.count % scales.count == 0, "\(scales.count) scales for \(x.shape)")
        if scales.count == 1 {
            return grad.zipElements(x) { g, src, dst in
                FakeQuantKernel.forEachChunk(src.count) { r in
                    FakeQuantKernel.straightThrough(UnsafeBufferPointer(rebasing: g[r]), input: UnsafeBufferPointer(rebasing: src[r]),
                                                    into: UnsafeMutableBufferPointer(rebasing: dst[r]), scale: scales[0])
                }
            }
        }
        let block = x.count / scales.count
        return x.withUnsafeFloats { src in
            grad.withUnsafeFloats { g in
                Tensor(shape: x.shape) { dst in
                    FakeQuantKernel.forEachBlockRange(scales.count, blockSize: block) { channels in
                        for c in channels {
                            let range = c * block ..< (c + 1) * block
                            FakeQuantKernel.straightThrough(UnsafeBufferPointer(rebasing: g[range]), input: UnsafeBufferPointer(rebasing: src[range]),
                                                            into: UnsafeMutableBufferPointer(rebasing: dst[range]), scale: scales[c])
                        }
                    }
                }
            }
        }
    }

    /// The per-tensor fake-quant ops' forward: `s` is the stored `InScale` when the op runs with
    /// its stored scale (eval), else `train(x)`; then `emitPerTensor`.
    static func forwardPerTensor(_ context: OpContext, _ output: Output, train: (Tensor) throws -> Float) throws {
        let op = context.op
        let x = try context.floatInput("X")
        if !context.usesStoredScale, op.attrs["zero_point"] != nil {
            throw GraphError("op '\(op.type)' of '\(op.input("X") ?? "?")' has a zero_point: asymmetric activations are calibrated (slim calibrate), not trained",
                             hints: ["fine-tune from the float model with symmetric quantizers, or calibrate without training"])
        }
        let s = context.usesStoredScale ? try scalar(try context.input("InScale"), slot: "InScale", of: op) : try train(x)
        try emitPerTensor(context, x: x, scale: s, output)
    }

    /// Writes `Out = quantize(x, s)` (the op's `bit_length`; dequantized for `.dequantized`) and
    /// `OutScale = [s]`, and saves `s` for the straight-through backward.
    static func emitPerTensor(_ context: OpContext, x: Tensor, scale s: Float, _ output: Output) throws {
        let bits = try bits(of: context.op)
        if let z = try zeroPoint(of: context.op) {
            guard bits == 8 else { throw GraphError("op '\(context.op.type)': a zero_point needs bit_length 8, got \(bits)") }
            context.setOutput("Out", 0, quantizeAsymmetric(x, scale: s, zeroPoint: z, dequantized: output == .dequantized))
            context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
            context.saved["scales"] = [s]
            return
        }
        context.setOutput("Out", 0, output == .quantized ? quantize(x, scales: [s], bits: bits) : quantizeDequantize(x, scales: [s], bits: bits))
        context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
        context.saved["scales"] = [s]
    }

    /// The checked `zero_point` attr of an asymmetric uint8 activation quantizer (nil: symmetric).
    /// - Throws: `GraphError` when it is outside 0...255.
    public static func zeroPoint(of op: OpDesc) throws -> Int? {
        guard op.attrs["zero_point"] != nil else { return nil }
        let z = op.int("zero_point", default: 0)
        guard (0...255).contains(z) else { throw GraphError("op '\(op.type)': zero_point \(z) is outside 0...255 (uint8)") }
        return z
    }

    /// An asymmetric uint8 activation quantizer (ONNX `QuantizeLinear` with a uint8 zero point `z`
    /// and scale `s / 127`), centred on its zero point: `q = clamp(round(x * 127 / s), -z, 255 - z)`,
    /// rounding half to even as ONNX does; `q * s / 127` when `dequantized`. The stored uint8 value
    /// is `q + z`. NaN gives 0; `s` guarded.
    public static func quantizeAsymmetric(_ x: Tensor, scale s: Float, zeroPoint z: Int, dequantized: Bool) -> Tensor {
        let k = 127 / guarded(s), factor = dequantized ? s / 127 : 1
        let lo = Float(-z), hi = Float(255 - z)
        // Over the threads; a plain loop over `roundedLevel`, which LLVM vectorizes.
        return x.mapElements(Float.self, to: .f32, as: Float.self) { src, dst in
            guard let source = src.baseAddress, let target = dst.baseAddress else { return }
            FakeQuantKernel.forEachChunk(src.count) { range in
                let (k, lo, hi, factor) = (k, lo, hi, factor)   // locals, not reloaded after each store
                for i in range { target[i] = FakeQuantKernel.roundedLevel(source[i] * k, lo, hi, tiesToEven: true) * factor }
            }
        }
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
