import SlimGraph
import SlimTensor

/// Turns a float program into a quantization-aware-training (QAT) program, as Paddle Fluid 1.6's
/// `QuantizationTransformPass`.
///
/// Before each quantized input (conv2d/depthwise_conv2d `Input` and `Filter`, mul `X` and `Y`) of
/// each op of `quantizableOpTypes` (except those `QuantizableOp.isSkipped`: `op_namescope`
/// containing `skip_quant`) it inserts a quantizer and a dequantizer, once per var, and
/// rewires the op to the dequantized var:
///
///     v -> fake_quantize_*(bit_length) -> v.quantized (integers), v.scale
///       -> fake_dequantize_max_abs(max_range = bin) or fake_channel_wise_dequantize_max_abs -> v.quantized.dequantized -> op
///
/// A persistable input is a weight (the scheme's `weightQuantizeType`, `weightBits`; channel-wise
/// only for conv filters, `mul` weights stay per tensor as in Paddle 1.6), anything else an
/// activation (`activationQuantizeType`, `activationBits`). Non-f32 inputs are left alone. State vars are
/// persistable and not trainable: `v.scale` ([1], 0.001) for range/moving average, plus
/// `v.iter` (s32 [1], 0) and `v.scales` ([windowSize], zeros), or `v.quant_accum` and
/// `v.quant_state` ([1], 1). Gradients flow straight through to the original var.
///
/// The same program trains (train-mode runs update the scales) and evaluates (eval-mode runs use
/// the stored scales). Deterministic in (program, scheme, op types).
public struct QuantizationTransformPass: Sendable {
    public var scheme: QuantizationScheme
    public var quantizableOpTypes: [String]

    public init(_ scheme: QuantizationScheme = QuantizationScheme(), quantizableOpTypes: [String] = QuantizableOp.defaultTypes) {
        self.scheme = scheme
        self.quantizableOpTypes = quantizableOpTypes
    }

    /// Rewrites `program` for QAT and puts the initial values of the new persistable state vars
    /// into `params` (a value already there with the declared shape and dtype is kept, so state
    /// loaded from a checkpoint survives a replay of the pass).
    /// - Throws: `GraphError` for bad options, an already quantized program, an undeclared input
    ///   or a name clash.
    public func apply(to program: inout Program, params: inout [String: Tensor]) throws {
        try validate(program)
        var dequantized: [String: String] = [:]
        var ops: [OpDesc] = []
        for var op in program.ops {
            if quantizableOpTypes.contains(op.type) && !QuantizableOp.isSkipped(op) {
                for slot in QuantizableOp.inputSlots(of: op.type) {
                    for (k, name) in (op.inputs[slot] ?? []).enumerated() {
                        if dequantized[name] == nil {
                            guard let v = program.variable(name) else {
                                throw GraphError("op '\(op.type)' reads undeclared var '\(name)'")
                            }
                            guard v.dtype == .f32 else { continue }
                            let insertion = try quantization(of: v, for: op.type)
                            try insertion.declare(in: &program, params: &params)
                            ops += insertion.ops
                            dequantized[name] = insertion.dequantized
                        }
                        op.inputs[slot]?[k] = dequantized[name] ?? name
                    }
                }
            }
            ops.append(op)
        }
        program.ops = ops
    }

    /// `apply(to:params:)` on the tensors of `scope`.
    public func apply(to program: inout Program, scope: Scope) throws {
        try apply(to: &program, params: &scope.tensors)
    }

    private func validate(_ program: Program) throws {
        try scheme.validate()
        try QuantizableOp.validate(quantizableOpTypes)
        let fakeTypes = QuantOps.quantizeTypes.union(QuantOps.dequantizeTypes)
        if let op = program.ops.first(where: { fakeTypes.contains($0.type) }) {
            throw GraphError("the program is already quantized (it has a '\(op.type)' op)")
        }
    }

    /// The quantizer and dequantizer of `v`, read by an op of type `opType`.
    private func quantization(of v: VarDesc, for opType: String) throws -> QuantizerInsertion {
        guard v.persistable else {
            return QuantizerInsertion.activation(v, scheme: scheme)
        }
        guard scheme.weightQuantizeType == .channelWiseAbsMax, QuantizableOp.convTypes.contains(opType) else {
            return QuantizerInsertion.weightAbsMax(v, bits: scheme.weightBits)
        }
        guard v.shape.count == 4, v.shape[0] > 0 else {
            throw GraphError("channel_wise_abs_max needs a conv filter [O, C, KH, KW], '\(v.name)' is \(v.shape)")
        }
        return QuantizerInsertion.weightChannelWise(v, bits: scheme.weightBits)
    }
}
