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

    /// A static scale (`InScale`) and no gate: the quantization is `mapElements` over fixed levels.
    /// A dynamic scale (max |X|) or a `Multiplier` is computed from the run's values outside it.
    public static func runsOnPrimitives(_ op: OpDesc) -> Bool {
        op.inputs["InScale"]?.isEmpty == false && (op.inputs["Multiplier"]?.isEmpty ?? true)
    }

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
    /// With `gate` each element is first multiplied by its factor (`x * g`, then `* k`). With
    /// `tiesToEven` ties go to the even level (ONNX's rounding, as `FakeQuant.quantizeAsymmetric`); `offset`
    /// is added to the rounded level (a zero point). Runs over the elements in memory order: an
    /// input held in NHWC (an int8 convolution's f32 output) gives an output in NHWC, which the
    /// next int8 convolution reads without a reorder. The element loops are plain loops over
    /// `level`, which LLVM vectorizes (8 lanes per AVX2 instruction).
    static func quantize<T: FixedWidthInteger & SIMDScalar>(_ x: Tensor, levelsPerUnit k: Float, lo: Float, hi: Float, as _: T.Type, _ dtype: DType,
                                                             offset: Int32 = 0, tiesToEven: Bool = false, gate: ChannelGate? = nil) -> Tensor {
        precondition(lo >= -255 && hi <= 255 && lo + Float(offset) >= Float(T.min) && hi + Float(offset) <= Float(T.max),
                     "8-bit activations fit their type")
        let levels = LevelRun<T>(k: k, lo: lo, hi: hi, offset: offset, tiesToEven: tiesToEven)
        return x.mapElements(Float.self, to: dtype, as: T.self) { src, dst in
            guard let source = src.baseAddress, let target = dst.baseAddress else { return }
            // Large tensors (a detector's picture, its routes) are split over the threads; each
            // element gets the same formula whatever the split.
            FakeQuantKernel.forEachChunk(src.count) { range in
                guard let gate else { return levels.run(source + range.lowerBound, target + range.lowerBound, range.count, UnitFactor()) }
                gate.factors.withUnsafeFloats { factors in
                    guard let g = factors.baseAddress else { return }
                    let (c, hw) = (gate.channels, gate.pixels)
                    var i = range.lowerBound
                    while i < range.upperBound {
                        if gate.channelsLast {   // NHWC: a row of C elements takes its image's C factors in turn
                            let channel = i % c, end = Swift.min(range.upperBound, i - channel + c)
                            levels.run(source + i, target + i, end - i, FactorRow(values: g + (i / (c * hw)) * c + channel))
                            i = end
                        } else {                 // NCHW: a plane of H·W elements takes one factor
                            let end = Swift.min(range.upperBound, (i / hw + 1) * hw)
                            levels.run(source + i, target + i, end - i, SameFactor(value: g[i / hw]))
                            i = end
                        }
                    }
                }
            }
        }
    }
}

/// The element loops of `Int8QuantizeOp.quantize`: each element's level, clamped to `lo...hi`
/// (NaN to 0), rounded half away from zero (or half to even), plus `offset`, stored as `T`.
struct LevelRun<T: FixedWidthInteger> {
    let k: Float
    let lo: Float
    let hi: Float
    let offset: Int32
    let tiesToEven: Bool

    /// The rounded level (`FakeQuantKernel.roundedLevel`) plus `offset`, read from the low
    /// mantissa bits of `level + 1.5·2^23` (|level| <= 255).
    @inline(__always)
    private static func level(_ v: Float, _ lo: Float, _ hi: Float, _ offset: Int32, tiesToEven even: Bool) -> Int32 {
        let magic = FakeQuantKernel.magic
        return Int32(bitPattern: (FakeQuantKernel.roundedLevel(v, lo, hi, tiesToEven: even) + magic).bitPattern) &- Int32(bitPattern: magic.bitPattern) &+ offset
    }

    /// `count` elements `x[j] * factors[j] * k` (`factors` 1 for a plain quantizer, one value per
    /// NCHW plane, or one per channel of an NHWC row). The fields are copied into locals first:
    /// stores through `out` could alias `self`, and reloading them per element keeps LLVM from
    /// vectorizing; the two roundings are two loops so that neither tests the flag per element.
    @inline(__always)
    func run<F: LevelFactors>(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<T>, _ count: Int, _ factors: F) {
        let (k, lo, hi, z) = (k, lo, hi, offset)
        if tiesToEven {
            for j in 0..<count { out[j] = T(truncatingIfNeeded: Self.level(x[j] * factors[j] * k, lo, hi, z, tiesToEven: true)) }
        } else {
            for j in 0..<count { out[j] = T(truncatingIfNeeded: Self.level(x[j] * factors[j] * k, lo, hi, z, tiesToEven: false)) }
        }
    }
}

/// The factor of each element of a `LevelRun` (`x * factor`, rounded to f32 as a multiply is).
protocol LevelFactors {
    subscript(_ j: Int) -> Float { get }
}

/// No factor: `x * 1` is `x`.
struct UnitFactor: LevelFactors {
    @inline(__always) subscript(_ j: Int) -> Float { 1 }
}

/// One factor for every element (an NCHW plane of a gated tensor).
struct SameFactor: LevelFactors {
    let value: Float
    @inline(__always) subscript(_ j: Int) -> Float { value }
}

/// A factor per element (an NHWC row of a gated tensor: the image's C factors).
struct FactorRow: LevelFactors {
    let values: UnsafePointer<Float>
    @inline(__always) subscript(_ j: Int) -> Float { values[j] }
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
