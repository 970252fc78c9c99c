import SlimGraph
import SlimTensor

/// Turns a QAT program (from `QuantizationTransformPass`) into the float program that computes
/// what the INT8 model computes, as Paddle Fluid 1.6's `QuantizationFreezePass`.
///
/// Steps:
/// 1. Weights are rewritten in `params` as `round(w / s * bin_w)` (f32 storage, integer values,
///    half away from zero, exactly the integers the QAT graph used), `s = max |w|`, or per output
///    channel for conv filters when `weightQuantizeType` is `channel_wise_abs_max`.
/// 2. Weight quantizers and every dequantizer in front of a quantized op are removed; the op
///    reads the integer weight and the activation quantizer's integer `Out` directly.
/// 3. Activation quantizers stay, in their eval form with the stored scale: `range_abs_max` and
///    `moving_average_abs_max` get `is_test = true` and lose their state slots (`Iter`, the
///    window, `Accum`/`State`), whose vars are dropped; `abs_max` keeps its per-batch scale.
/// 4. One dequantizer follows each quantized op, whose readers (and fetches) move to `<out>.dequantized`:
///    `out * s_act * s_w / (bin_a * bin_w)`, i.e. `fake_dequantize_max_abs` with `Scale = s_act`
///    and `max_range = bin_a * bin_w / s_w` for per-tensor weights, or
///    `fake_channel_wise_dequantize_max_abs` with `Scales = [<w>.channel_scale, s_act]` and
///    `quant_bits = [weightBits, activationBits]` for per-channel ones.
///
/// Weight bits and type come from the scheme (as in Paddle, the weights are re-quantized from
/// their float values); the activation quantizers' `bit_length` must equal `activationBits`.
/// Every quantized op needs exactly one quantized activation and one quantized weight.
public struct QuantizationFreezePass: Sendable {
    /// The scheme the QAT program was made with (its activation type, window and rate play no part:
    /// the activation quantizers are taken as they are).
    public var scheme: QuantizationScheme
    public var quantizableOpTypes: [String]

    public init(_ scheme: QuantizationScheme = QuantizationScheme(), quantizableOpTypes: [String] = QuantizableOp.defaultTypes) {
        self.scheme = scheme
        self.quantizableOpTypes = quantizableOpTypes
    }

    /// Freezes `program`, quantizing its weights in `params` and adding the channel scales.
    /// - Throws: `GraphError` for bad options, a program not made by the transform pass, a
    ///   missing weight value or an activation bit length other than `activationBits`.
    public func apply(to program: inout Program, params: inout [String: Tensor]) throws {
        try scheme.validate()
        try QuantizableOp.validate(quantizableOpTypes)
        let pairs = try QuantPair.find(in: program)
        let before = program.referencedVars
        let weightScales = try quantizeWeights(pairs, program: program, params: &params)
        var renames: [String: String] = [:]
        for p in pairs { renames[p.dequantized] = p.isWeight ? p.original : p.quantized }
        let byDequantized = Dictionary(pairs.map { ($0.dequantized, $0) }) { a, _ in a }
        let dropped = Set(pairs.flatMap { $0.isWeight ? [$0.quantizeOp, $0.dequantizeOp] : [$0.dequantizeOp] })
        let activationQuantizers = Set(pairs.filter { !$0.isWeight }.map(\.quantizeOp))
        var ops: [OpDesc] = []
        for (i, original) in program.ops.enumerated() where !dropped.contains(i) {
            var op = original
            op.renameInputs(renames)
            if activationQuantizers.contains(i) { op = try evalForm(of: op) }
            ops.append(op)
            guard quantizableOpTypes.contains(op.type),
                  let quantized = try QuantizedOpInputs(original, pairs: byDequantized, weightScales: weightScales) else { continue }
            let (dequantizer, out) = try postDequantizer(after: op, quantized, program: &program, params: &params)
            ops.append(dequantizer)
            renames[out] = QuantNames.outputDequantized(out)
        }
        program.ops = ops
        program.fetches = program.fetches.map { renames[$0] ?? $0 }
        program.removeUnreferenced(before, params: &params)
    }

    /// `apply(to:params:)` on the tensors of `scope`.
    public func apply(to program: inout Program, scope: Scope) throws {
        try apply(to: &program, params: &scope.tensors)
    }

    /// Rounds each quantized weight in `params` to its integers; returns the scales used.
    private func quantizeWeights(_ pairs: [QuantPair], program: Program, params: inout [String: Tensor]) throws -> [String: WeightScales] {
        var result: [String: WeightScales] = [:]
        for pair in pairs where pair.isWeight && result[pair.original] == nil {
            let name = pair.original
            guard let w = params[name], w.dtype == .f32, w.shape == program.variable(name)?.shape else {
                throw GraphError("freezing needs the f32 value of weight '\(name)' \(program.variable(name)?.shape ?? [])",
                                 hints: ["load the QAT program's parameters into the scope first"])
            }
            if let other = program.ops.first(where: { !QuantOps.quantizeTypes.contains($0.type) && $0.inputNames.contains(name) }) {
                throw GraphError("weight '\(name)' is also read unquantized by '\(other.type)'; freezing would feed it integers",
                                 hints: ["quantize every op that reads it, or give that op its own weight"])
            }
            let perChannel = scheme.weightQuantizeType == .channelWiseAbsMax && w.shape.count == 4
            let scales = perChannel ? FakeQuant.channelAbsMax(w, channels: w.shape[0]) : [FakeQuant.absMax(w)]
            params[name] = FakeQuant.quantize(w, scales: scales, bits: scheme.weightBits)
            result[name] = WeightScales(scales: scales, perChannel: perChannel)
        }
        return result
    }

    /// The eval form of an activation quantizer: the stored scale, no state slots.
    private func evalForm(of op: OpDesc) throws -> OpDesc {
        let bits = try FakeQuant.bits(of: op)
        guard bits == scheme.activationBits else {
            throw GraphError("activation quantizer '\(op.type)' of '\(op.input("X") ?? "?")' has bit_length \(bits), activation_bits is \(scheme.activationBits)")
        }
        switch op.type {
        case FakeQuantizeAbsMaxOp.type:
            return op
        case FakeQuantizeRangeAbsMaxOp.type, FakeQuantizeMovingAverageAbsMaxOp.type:
            var frozen = op
            frozen.inputs = op.inputs.filter { ["X", "InScale"].contains($0.key) }
            frozen.outputs = op.outputs.filter { ["Out", "OutScale"].contains($0.key) }
            frozen.attrs["is_test"] = .bool(true)
            return frozen
        default:
            throw GraphError("'\(op.type)' cannot quantize the activation '\(op.input("X") ?? "?")'")
        }
    }

    /// The dequantizer after quantized op `op` and the op output it reads.
    private func postDequantizer(after op: OpDesc, _ quantized: QuantizedOpInputs, program: inout Program,
                                 params: inout [String: Tensor]) throws -> (OpDesc, String) {
        guard op.outputNames.count == 1, let out = op.outputNames.first, let outVar = program.variable(out) else {
            throw GraphError("quantized op '\(op.type)' must have exactly one declared output, has \(op.outputNames)")
        }
        let dequantized = QuantNames.outputDequantized(out)
        try program.declareNew(VarDesc(name: dequantized, shape: outVar.shape))
        let scales = quantized.weightScales
        guard scales.perChannel else {
            let range = Double(FakeQuant.bin(bits: scheme.activationBits)) * Double(FakeQuant.bin(bits: scheme.weightBits))
                / Double(FakeQuant.guarded(scales.scales[0]))
            return (OpDesc(type: FakeDequantizeMaxAbsOp.type, inputs: ["X": [out], "Scale": [quantized.activationScale]],
                           outputs: ["Out": [dequantized]], attrs: ["max_range": .float(range)]), out)
        }
        let channelScale = QuantNames.channelScale(quantized.weight)
        program.declare(VarDesc(name: channelScale, shape: [scales.scales.count], persistable: true))
        params[channelScale] = Tensor(shape: [scales.scales.count], floats: scales.scales)
        return (OpDesc(type: FakeChannelWiseDequantizeMaxAbsOp.type,
                       inputs: ["X": [out], "Scales": [channelScale, quantized.activationScale]],
                       outputs: ["Out": [dequantized]], attrs: ["quant_bits": .ints([scheme.weightBits, scheme.activationBits])]), out)
    }
}

/// The scales a weight was frozen with: one (per tensor) or one per output channel.
struct WeightScales {
    var scales: [Float]
    var perChannel: Bool
}
