import SlimGraph
import SlimTensor

/// What an int8 op (`int8_conv2d`, `int8_mul`) does after its exact s32 accumulation, stored in
/// the op's attrs by `Int8LoweringPass`:
///
///     v = output_scales[o] * (acc + Bias[o])          (one scale, or one per output channel o)
///     v = v + residual_scale * ResidualData            (with a residual; residual_scale default 1)
///     v = activation(v)                                (none | relu | clip(clip_min, clip_max) |
///                                                       leaky_relu(alpha) [then clip(clip_min, clip_max)])
///     v = round(v) + out_zero_point                    (an asymmetric u8 output; 0 else)
///     y = v as out_dtype                               (f32 keeps v; u8/s8 round half to even)
///
/// With per-tensor weights `output_scales = [s_act / max_range] = [s_act * s_w / (bin_a * bin_w)]`;
/// channel-wise `s_act * s_w[o] / (bin_a * bin_w)`. When the op requantizes straight into the next
/// quantizer (scale `s'`, `bin'`), the scales carry a further `bin' / s'` and the activation is
/// the clip to the quantizer's integer range (`[-bin', bin']`, `[0, bin']` after ReLU); a leaky
/// ReLU (`x` for `x > 0`, `alpha * x` else: oneDNN's eltwise_relu with that alpha) commutes with
/// the positive factor `bin' / s'` and is followed by that clip.
public struct Int8Epilogue: Hashable, Sendable {
    /// The activation fused after the output scale.
    public enum Activation: Hashable, Sendable {
        case none
        case relu
        case clip(lo: Float, hi: Float)
        /// `x > 0 ? x : alpha * x`.
        case leakyRelu(alpha: Float)
        /// `leakyRelu(alpha)`, then `clip(lo, hi)` (requantization after a leaky ReLU).
        case leakyReluClip(alpha: Float, lo: Float, hi: Float)
        /// `x * min(max(x + 3, 0), 6) / 6`.
        case hardSwish
        /// `hardSwish`, then `x * levelsPerUnit`, then `clip(lo, hi)` (requantization after a
        /// hard swish, which does not commute with the factor: the output scales stay in real units).
        case hardSwishRequantized(levelsPerUnit: Float, lo: Float, hi: Float)
        /// `min(max(slope * x + offset, 0), hi)`: a hard sigmoid (`hi` 1), or one requantized
        /// (offset and `hi` times the levels per unit, the output scales too).
        case hardSigmoid(slope: Float, offset: Float, hi: Float)
    }

    public var outputScales: [Float]
    /// The factor of a residual's sum post-op: 1 for a residual in the output's units; for an
    /// integer residual its units over the output's (`(s_r / bin_r) / (s_y / bin_y)`).
    public var residualScale: Float
    public var activation: Activation
    /// f32, u8 or s8.
    public var outputType: DType
    /// The zero point of an asymmetric u8 output (requantization into a quantizer with a zero
    /// point: its clip bounds are in centred levels, the zero point added after them); 0 else.
    public var outputZeroPoint: Int

    public init(outputScales: [Float], activation: Activation = .none, outputType: DType = .f32, outputZeroPoint: Int = 0,
                residualScale: Float = 1) {
        precondition(!outputScales.isEmpty, "an int8 epilogue needs at least one output scale")
        precondition(outputType != .s32, "int8 ops write f32, u8 or s8")
        precondition(outputZeroPoint == 0 || (outputType == .u8 && outputZeroPoint <= 255), "a zero point needs a u8 output")
        precondition(residualScale.isFinite, "the residual scale must be finite")
        self.outputScales = outputScales
        self.residualScale = residualScale
        self.activation = activation
        self.outputType = outputType
        self.outputZeroPoint = outputZeroPoint
    }

    /// The epilogue of an int8 op, from its attrs.
    /// - Throws: `GraphError` for missing or malformed attrs.
    public init(_ op: OpDesc) throws {
        let scales = op.floats("output_scales", default: []).map(Float.init)
        guard !scales.isEmpty, scales.allSatisfy(\.isFinite) else {
            throw GraphError("op '\(op.type)' needs finite attr output_scales")
        }
        guard let type = DType(rawValue: op.string("out_dtype", default: "f32")), type != .s32 else {
            throw GraphError("op '\(op.type)': out_dtype must be f32, u8 or s8, got \(op.string("out_dtype", default: ""))")
        }
        let residualScale = Float(op.float("residual_scale", default: 1))
        guard residualScale.isFinite else { throw GraphError("op '\(op.type)': attr residual_scale must be finite") }
        let activation: Activation
        switch op.string("activation", default: "none") {
        case "none": activation = .none
        case "relu": activation = .relu
        case "clip":
            guard let lo = op.attrs["clip_min"]?.floatValue, let hi = op.attrs["clip_max"]?.floatValue, lo <= hi else {
                throw GraphError("op '\(op.type)': activation clip needs clip_min <= clip_max")
            }
            activation = .clip(lo: Float(lo), hi: Float(hi))
        case "leaky_relu":
            guard let alpha = op.attrs["alpha"]?.floatValue, alpha.isFinite else {
                throw GraphError("op '\(op.type)': activation leaky_relu needs a finite attr alpha")
            }
            switch (op.attrs["clip_min"]?.floatValue, op.attrs["clip_max"]?.floatValue) {
            case (nil, nil): activation = .leakyRelu(alpha: Float(alpha))
            case let (lo?, hi?) where lo <= hi: activation = .leakyReluClip(alpha: Float(alpha), lo: Float(lo), hi: Float(hi))
            default: throw GraphError("op '\(op.type)': activation leaky_relu takes both clip_min <= clip_max or neither")
            }
        case "hard_swish":
            switch (op.attrs["levels_per_unit"]?.floatValue, op.attrs["clip_min"]?.floatValue, op.attrs["clip_max"]?.floatValue) {
            case (nil, nil, nil): activation = .hardSwish
            case let (f?, lo?, hi?) where f.isFinite && f > 0 && lo <= hi:
                activation = .hardSwishRequantized(levelsPerUnit: Float(f), lo: Float(lo), hi: Float(hi))
            default: throw GraphError("op '\(op.type)': activation hard_swish takes levels_per_unit > 0 and clip_min <= clip_max, or none of them")
            }
        case "hard_sigmoid":
            guard let slope = op.attrs["slope"]?.floatValue, let offset = op.attrs["offset"]?.floatValue, let hi = op.attrs["clip_max"]?.floatValue,
                  slope.isFinite, offset.isFinite, hi.isFinite, hi >= 0 else {
                throw GraphError("op '\(op.type)': activation hard_sigmoid needs finite attrs slope, offset and clip_max >= 0")
            }
            activation = .hardSigmoid(slope: Float(slope), offset: Float(offset), hi: Float(hi))
        case let other:
            throw GraphError("op '\(op.type)': unknown activation '\(other)'", hints: ["expected none, relu, clip, leaky_relu, hard_swish or hard_sigmoid"])
        }
        let zero = op.int("out_zero_point", default: 0)
        guard zero == 0 || (type == .u8 && (0...255).contains(zero)) else {
            throw GraphError("op '\(op.type)': out_zero_point \(zero) needs out_dtype u8 and a value in 0...255")
        }
        self.init(outputScales: scales, activation: activation, outputType: type, outputZeroPoint: zero, residualScale: residualScale)
    }

    /// The attrs `init(_:)` reads back.
    public var attrs: [String: Attribute] {
        var a: [String: Attribute] = ["output_scales": .floats(outputScales.map(Double.init)), "out_dtype": .string(outputType.rawValue)]
        if outputZeroPoint != 0 { a["out_zero_point"] = .int(outputZeroPoint) }
        if residualScale != 1 { a["residual_scale"] = .float(Double(residualScale)) }
        switch activation {
        case .none: a["activation"] = .string("none")
        case .relu: a["activation"] = .string("relu")
        case let .clip(lo, hi):
            a["activation"] = .string("clip")
            a["clip_min"] = .float(Double(lo))
            a["clip_max"] = .float(Double(hi))
        case let .leakyRelu(alpha):
            a["activation"] = .string("leaky_relu")
            a["alpha"] = .float(Double(alpha))
        case let .leakyReluClip(alpha, lo, hi):
            a["activation"] = .string("leaky_relu")
            a["alpha"] = .float(Double(alpha))
            a["clip_min"] = .float(Double(lo))
            a["clip_max"] = .float(Double(hi))
        case .hardSwish: a["activation"] = .string("hard_swish")
        case let .hardSigmoid(slope, offset, hi):
            a["activation"] = .string("hard_sigmoid")
            a["slope"] = .float(Double(slope))
            a["offset"] = .float(Double(offset))
            a["clip_max"] = .float(Double(hi))
        case let .hardSwishRequantized(f, lo, hi):
            a["activation"] = .string("hard_swish")
            a["levels_per_unit"] = .float(Double(f))
            a["clip_min"] = .float(Double(lo))
            a["clip_max"] = .float(Double(hi))
        }
        return a
    }

    /// The activation as oneDNN post-ops, then the output zero point: added to the beta of the
    /// chain's one `linear` (oneDNN 2.6 computes at most one correctly) with the clip after it
    /// shifted, or as a `linear(1, z)` last.
    var postOps: [PostOp] {
        guard outputZeroPoint != 0 else { return activationPostOps }
        let z = Float(outputZeroPoint)
        switch activation {
        case let .hardSwishRequantized(f, lo, hi): return [.eltwise(.hardSwish), .eltwise(.linear(alpha: f, beta: z)), .clip(lo: lo + z, hi: hi + z)]
        case let .hardSigmoid(slope, offset, hi): return [.eltwise(.linear(alpha: slope, beta: offset + z)), .clip(lo: z, hi: hi + z)]
        // Rounded first (as ONNX Runtime requantizes): v + z in f32 would lose v's last bits, and
        // a tie could then round the other way.
        default: return activationPostOps + [.eltwise(.round), .eltwise(.linear(alpha: 1, beta: z))]
        }
    }

    /// Whether the activation already uses oneDNN's one eltwise_linear post-op.
    public var usesLinearPostOp: Bool {
        activationPostOps.contains { if case .eltwise(.linear) = $0 { return true } else { return false } }
    }

    /// The activation as oneDNN post-ops.
    private var activationPostOps: [PostOp] {
        switch activation {
        case .none: return []
        case .relu: return [.relu]
        case let .clip(lo, hi): return [.clip(lo: lo, hi: hi)]
        case let .leakyRelu(alpha): return [.eltwise(.leakyRelu(alpha: alpha))]
        case let .leakyReluClip(alpha, lo, hi): return [.eltwise(.leakyRelu(alpha: alpha)), .clip(lo: lo, hi: hi)]
        case .hardSwish: return [.eltwise(.hardSwish)]
        case let .hardSwishRequantized(f, lo, hi): return [.eltwise(.hardSwish), .eltwise(.linear(alpha: f, beta: 0)), .clip(lo: lo, hi: hi)]
        case let .hardSigmoid(slope, offset, hi): return [.eltwise(.linear(alpha: slope, beta: offset)), .clip(lo: 0, hi: hi)]
        }
    }

    /// Whether every output is >= 0 (the activation clips at 0 or above).
    public var isNonNegative: Bool {
        switch activation {
        case .none: return false
        case .relu: return true
        case let .clip(lo, _): return lo >= 0
        case let .leakyRelu(alpha): return alpha == 0
        case let .leakyReluClip(alpha, lo, _): return alpha == 0 || lo >= 0
        case .hardSwish: return false
        case let .hardSwishRequantized(_, lo, _): return lo >= 0
        case .hardSigmoid: return true
        }
    }
}
