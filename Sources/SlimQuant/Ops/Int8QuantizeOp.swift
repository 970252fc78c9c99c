import SlimGraph
import SlimTensor

/// `int8_quantize` (slim's INT8 engine: the FP32 -> INT8 edge): quantizes f32 `X` to integer
/// activations `Out` (u8 or s8, attr `out_dtype`) exactly as the frozen program's activation
/// quantizer does, with `bin = 2^(bit_length-1) - 1`:
///
///     s = InScale (static: range / moving-average abs max) or max |X| (dynamic: abs_max, no InScale)
///     Out = round(bin / s * clip(X, -s, s))     half away from zero; s guarded as in `FakeQuant`
///
/// With attr `zero_point` z (an asymmetric uint8 quantizer, `ActivationQuantizer.zeroPoint`):
/// `Out = clamp(round(X * 127 / s) + z, 0, 255)` u8, rounding half to even as ONNX does.
/// u8 is used where the lowering proved `X >= 0` (negative values would clamp to 0). `OutScale`
/// [1] (optional) receives `s`, for the dequantizer of a dynamic-scale chain.
///
/// With input `Multiplier` [N, C, 1, 1] (a squeeze-and-excitation gate, static scales only) the op
/// quantizes `X * Multiplier`, each product rounded to f32 as `elementwise_mul` rounds it: the
/// lowering folds a gate's multiply into the quantizer after it, so the gated f32 tensor is
/// neither written nor read again.
public enum Int8QuantizeOp: Operator {
    public static let type = "int8_quantize"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x], "OutScale": [[1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let bits = try FakeQuant.bits(of: op)
        guard bits <= 8 else { throw GraphError("op '\(type)': bit_length \(bits) does not fit 8-bit activations") }
        var x = try context.floatInput("X")
        var gate: ChannelGate?
        if context.hasInput("Multiplier") {
            guard context.hasInput("InScale") else { throw GraphError("op '\(type)': a Multiplier needs a static InScale") }
            let channelsLast: Bool
            (x, channelsLast) = x.channelsLastOrPlain()
            gate = try ChannelGate(try context.floatInput("Multiplier"), of: x.shape, channelsLast: channelsLast)
        }
        let s = context.hasInput("InScale")
            ? try FakeQuant.scalar(try context.input("InScale"), slot: "InScale", of: op) : FakeQuant.absMax(x)
        let bin = FakeQuant.bin(bits: bits), k = bin / FakeQuant.guarded(s)
        if let z = try FakeQuant.zeroPoint(of: op) {
            guard op.string("out_dtype", default: "u8") == "u8", bits == 8 else {
                throw GraphError("op '\(type)': a zero_point needs out_dtype u8 and bit_length 8")
            }
            context.setOutput("Out", 0, quantizeAsymmetric(x, levelsPerUnit: k, zeroPoint: z, gate: gate))
            context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
            return
        }
        switch op.string("out_dtype", default: "s8") {
        case "u8": context.setOutput("Out", 0, quantize(x, levelsPerUnit: k, lo: 0, hi: bin, as: UInt8.self, .u8, gate: gate))
        case "s8": context.setOutput("Out", 0, quantize(x, levelsPerUnit: k, lo: -bin, hi: bin, as: Int8.self, .s8, gate: gate))
        case let other: throw GraphError("op '\(type)': out_dtype must be u8 or s8, got '\(other)'")
        }
        context.setOutput("OutScale", 0, Tensor(shape: [1], floats: [s]))
    }

    /// `clamp(round(x * k) + z, 0, 255)` as u8, rounding half to even (`FakeQuant.quantizeAsymmetric`
    /// plus the zero point); NaN gives z. In memory order.
    static func quantizeAsymmetric(_ x: Tensor, levelsPerUnit k: Float, zeroPoint z: Int, gate: ChannelGate? = nil) -> Tensor {
        quantize(x, levelsPerUnit: k, lo: Float(-z), hi: Float(255 - z), as: UInt8.self, .u8, offset: Int32(z), tiesToEven: true, gate: gate)
    }

    /// `clamp(round(x * k), lo, hi)`, rounding half away from zero (as `FakeQuant.quantize`: for
    /// |x| <= s the same product and rounding, beyond it the same end of the range); NaN gives 0.
    /// Branch-free, so the loop vectorizes (`Float.rounded` and checked `Int32(_:)` do not): with
    /// `c` clamped (|c| <= 127 < 2^22), `m = c + 1.5·2^23` holds `rne(c)`, c rounded to nearest even,
    /// in its low mantissa bits (`m.bitPattern - bitPattern(1.5·2^23)`), and `r = m - 1.5·2^23` is
    /// that integer as a float; `c - r` is exact and is ±0.5 only at a tie, where half away from
    /// zero is one step further out when even went inwards (`c - r = 0.5` for c > 0, `-0.5` for c < 0). Runs over the elements in memory order: an
    /// input held in NHWC (an int8 convolution's f32 output) gives an output in NHWC, which the next
    /// int8 convolution reads without a reorder. With `tiesToEven` ties stay at `rne(c)` (ONNX's
    /// rounding, `FakeQuant.centredLevel`); `offset` is added to the rounded level (a zero point).
    static func quantize<T: FixedWidthInteger & SIMDScalar>(_ x: Tensor, levelsPerUnit k: Float, lo: Float, hi: Float, as _: T.Type, _ dtype: DType,
                                                             offset: Int32 = 0, tiesToEven: Bool = false, gate: ChannelGate? = nil) -> Tensor {
        precondition(lo >= -255 && hi <= 255 && lo + Float(offset) >= Float(T.min) && hi + Float(offset) <= Float(T.max),
                     "8-bit activations fit their type")
        let up: Int32 = tiesToEven ? 0 : 1, offsetv = SIMD16<Int32>(repeating: offset)
        let magic: Float = 12_582_912, magicBits = Int32(bitPattern: magic.bitPattern)
        return x.mapElements(Float.self, to: dtype, as: T.self) { src, dst in
            guard let source = src.baseAddress, let target = dst.baseAddress else { return }
            let kv = SIMD16<Float>(repeating: k), lov = SIMD16<Float>(repeating: lo), hiv = SIMD16<Float>(repeating: hi)
            let magicv = SIMD16<Float>(repeating: magic), half = SIMD16<Float>(repeating: 0.5), zero = SIMD16<Float>()
            /// Elements `start..<end`, each first multiplied by its gate factor when `factors` is
            /// given: with `period` 0 by `factors[0]`, else element `i` by `factors[o]`, `o = (phase
            /// + i - start) % period`, where `factors` holds `period + 16` values repeating with that
            /// period, so the factors of 16 consecutive elements are `factors[o..<o+16]`.
            func span(_ start: Int, _ end: Int, _ factors: UnsafePointer<Float>?, period: Int = 0, phase: Int = 0) {
                var i = start, o = phase
                while i + 16 <= end {
                    var v = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self)
                    if let factors {
                        if period == 0 {
                            v *= SIMD16<Float>(repeating: factors[0])
                        } else {
                            v *= UnsafeRawPointer(factors + o).loadUnaligned(as: SIMD16<Float>.self)
                            o += 16
                            while o >= period { o -= period }
                        }
                    }
                    let c = FakeQuantKernel.clampedLevels(v, kv, lov, hiv)
                    let m = c + magicv
                    let d = c - (m - magicv)
                    var r = unsafeBitCast(m, to: SIMD16<Int32>.self) &- magicBits
                    r.replace(with: r &+ up, where: (d .== half) .& (c .> zero))
                    r.replace(with: r &- up, where: (d .== -half) .& (c .< zero))
                    r &+= offsetv
                    UnsafeMutableRawPointer(target + i).storeBytes(of: SIMD16<T>(truncatingIfNeeded: r), as: SIMD16<T>.self)
                    i += 16
                }
                while i < end {
                    var x = source[i]
                    if let factors {
                        x *= factors[o]
                        if period > 0 { o = o + 1 == period ? 0 : o + 1 }
                    }
                    let v = x * k
                    let c = v.isNaN ? 0 : Swift.min(Swift.max(v, lo), hi)
                    let m = c + magic
                    let d = c - (m - magic)
                    let tie: Int32 = (d == 0.5 && c > 0 ? up : 0) - (d == -0.5 && c < 0 ? up : 0)
                    target[i] = T(truncatingIfNeeded: Int32(bitPattern: m.bitPattern) &- magicBits &+ tie &+ offset)
                    i += 1
                }
            }
            // Large tensors (a detector's picture, its routes) are split over the threads; each
            // element gets the same formula whatever the split, 16 lanes at a time then one by one.
            FakeQuantKernel.forEachChunk(src.count) { range in
                guard let gate else { return span(range.lowerBound, range.upperBound, nil) }
                gate.factors.withUnsafeFloats { factors in
                    guard let g = factors.baseAddress else { return }
                    let (c, hw) = (gate.channels, gate.pixels)
                    guard gate.channelsLast else {
                        var i = range.lowerBound   // NCHW: one channel plane (one factor) at a time
                        while i < range.upperBound {
                            let end = Swift.min(range.upperBound, (i / hw + 1) * hw)
                            span(i, end, g + i / hw)
                            i = end
                        }
                        return
                    }
                    // NHWC: one image at a time, its C factors repeated along its rows.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: c + 16) { repeated in
                        guard let r = repeated.baseAddress else { return }
                        var i = range.lowerBound
                        while i < range.upperBound {
                            let image = i / (c * hw), end = Swift.min(range.upperBound, (image + 1) * c * hw)
                            for j in 0..<(c + 16) { r[j] = g[image * c + j % c] }
                            span(i, end, r, period: c, phase: i % c)
                            i = end
                        }
                    }
                }
            }
        }
    }
}

/// The per-(image, channel) factors of `int8_quantize`'s `Multiplier` and how they meet the
/// elements of `X` in memory order: channels-last (NHWC: a row of C elements takes the image's C
/// factors in turn) or plain NCHW (a plane of H·W elements takes one factor).
struct ChannelGate {
    let factors: Tensor
    let channels: Int
    let pixels: Int
    let channelsLast: Bool

    /// - Throws: `GraphError` unless `gate` is [N, C, 1, 1] (or [N, C]) for `x` of shape [N, C, H, W].
    init(_ gate: Tensor, of x: [Int], channelsLast: Bool) throws {
        let dims = gate.shape.count == 4 ? Array(gate.shape.prefix(2)) : gate.shape
        guard x.count == 4, gate.shape.count == 2 || (gate.shape.count == 4 && gate.shape[2] == 1 && gate.shape[3] == 1),
              dims == Array(x.prefix(2)) else {
            throw GraphError("op 'int8_quantize': Multiplier \(gate.shape) is not one factor per image and channel of X \(x)")
        }
        factors = gate
        channels = x[1]
        pixels = x[2] * x[3]
        self.channelsLast = channelsLast
    }
}
