import SlimGraph
import SlimTensor

/// Lowers an INT8 model (`ConvertToInt8Pass` output: s8 weights, activation quantizers with
/// integer-valued f32 outputs, one dequantizer after each quantized op) to the execution program
/// of slim's INT8 engine, which runs real integer kernels and computes what the frozen float
/// program computes (up to float rounding order and ties in requantization).
///
/// Steps:
/// 1. Each quantized op (`conv2d`, `depthwise_conv2d`, `mul` reading a quantizer's `Out` and an
///    s8 weight, followed by its dequantizer) becomes `int8_conv2d` / `int8_mul`: s32 accumulation,
///    output scales `s_act * s_w / (bin_a * bin_w)` (per channel for channel-wise weights) folded
///    in. With a static activation scale the ops that follow are fused (`Int8Chain`): bias adds and
///    eval-mode batch norms fold into per-channel scales and a bias (`<out>.int8_bias`, in
///    accumulator units), a residual add becomes a sum post-op (`ResidualData`), ReLU / ReLU6 /
///    leaky ReLU a post-op (leaky: oneDNN's eltwise_relu with alpha = the slope); the int8 op
///    takes the place of the last fused op. With a dynamic (`abs_max`) scale
///    the op yields the raw accumulator in f32 and the dequantizer stays.
/// 2. When the fused chain's only reader is a static quantizer (possibly through max pooling,
///    `reshape2`, `flatten2`, `nearest_interp`, which commute with quantization, or a concat that
///    runs on integers, `IntegerConcat`), the op requantizes straight into
///    that quantizer's integers: scales times `bin' / s'`, a clip to `[-bin', bin']` (`[0, bin']`
///    after ReLU; after the leaky ReLU, which commutes with the positive factor), u8/s8 output;
///    the quantizer disappears and activations stay 8-bit. A chain with a residual add does so
///    when the shortcut is available as integers (`IntegerResidual`: the block input's quantizer
///    `Out`, or a projection chain writing s8 in the add's output units), summed by the kernel's
///    sum post-op; the shortcut's rounding is then a difference from the frozen program. An integer concat's other inputs are
///    quantized into its quantizer by an `int8_quantize` inserted before it (s8 throughout).
///    Other readers (YOLOv3's `yolo_box`) get the f32 value: the float boundary, re-entered
///    through `int8_quantize` (step 3) before the next quantized op.
/// 3. Every other quantizer read by an int8 op becomes `int8_quantize` (FP32 -> INT8 edge): u8
///    when its input is provably non-negative (`NonNegativeVars`), else s8.
/// 4. Any other op that reads a u8/s8 value (a quantized op the pass could not lower, an integer
///    weight of it) reads it through `int8_to_float`, so it computes what the frozen program does.
/// 5. On hosts with AVX-512 VNNI, an s8 activation that only int8 convolutions (groups 1) read is
///    stored as u8 `v + 128` (the writer's `out_zero_point`, the readers' `input_shift`, which
///    oneDNN subtracts in the s32 accumulator):
///    oneDNN's u8 convolutions run without the sign compensation its s8 ones need (YOLOv3's head:
///    3x3 convs 25-35% faster). The values are the same up to ties in requantization.
///    On hosts without VNNI, an s8 activation that only depthwise int8 convolutions read is
///    stored so: oneDNN's depthwise kernel is exact for u8 up to 255 there
///    (`Kernels.int8ShiftIsExact`), whereas an s8 input would take `Int8SignedInput`'s split,
///    a grouped convolution oneDNN runs on its reference kernel (MobileNetV3's hard-swish
///    activations before each depthwise conv: PP-OCR's classifier took 46 ms at batch 1, 2.4 now).
///    A writer whose activation ends in a `linear` post-op (the requantized hard swish) adds the
///    128 in that post-op's beta, before rounding: the values may then differ at ties.
/// 6. Vars and params nothing references any more (the f32 biases, channel scales) are dropped.
///
/// Deterministic in (program, params). Register the ops with `Int8Ops.register()` before running
/// the result; it is an execution program (eval mode only), not a model file to save.
public struct Int8LoweringPass: Sendable {
    /// Whether step 5 runs: by default where it is exact (`Kernels.int8IsExact`: without VNNI, u8
    /// values above 127 saturate in oneDNN's pairwise products).
    public var storesSignedAsUnsigned: Bool
    /// Whether a convolution's asymmetric u8 input (an imported or calibrated zero point) has its
    /// zero point subtracted by oneDNN (`input_shift`), by default where u8 inputs are exact
    /// (VNNI); else `-z Σ w` goes into the bias and the input is padded with z (`Int8ZeroPoint`).
    public var usesSourceZeroPoints: Bool
    /// Whether step 5 stores the s8 inputs of depthwise convolutions as u8, and their asymmetric u8
    /// inputs take oneDNN's source zero point: by default where their s8 inputs would be split
    /// (no VNNI); exact on every host.
    public var shiftsDepthwiseInputs: Bool

    public init(storesSignedAsUnsigned: Bool = Kernels.int8IsExact, usesSourceZeroPoints: Bool = Kernels.int8IsExact,
                shiftsDepthwiseInputs: Bool = !Kernels.int8IsExact) {
        self.storesSignedAsUnsigned = storesSignedAsUnsigned
        self.usesSourceZeroPoints = usesSourceZeroPoints
        self.shiftsDepthwiseInputs = shiftsDepthwiseInputs
    }

    /// Lowers `program`, adding the folded biases to `params` and dropping params it no longer reads.
    /// - Throws: `GraphError` when a static quantizer's scale is missing from `params`.
    public func apply(to program: inout Program, params: inout [String: Tensor]) throws {
        let graph = Int8Graph(program)
        let quantizers = try ActivationQuantizer.all(in: program, params: params)
        var chains: [Int8Chain] = [], claimed = Set<Int>()
        for i in program.ops.indices {
            guard let chain = Int8Chain(at: i, graph: graph, quantizers: quantizers, params: params, claimed: claimed) else { continue }
            chains.append(chain)
            claimed.formUnion(chain.fused)
        }
        var lowering = Int8Lowering(graph: graph, quantizers: Array(quantizers.values), chains: chains,
                                    sourceZeroPoints: usesSourceZeroPoints && Kernels.int8IsExact,
                                    depthwiseSourceZeroPoints: shiftsDepthwiseInputs)
        for chain in chains { lowering.lower(chain) }
        lowering.lowerConcats()
        lowering.lowerQuantizers()
        let before = Set(program.vars.map(\.name))
        let integerOps = try emit(lowering, into: &program, params: &params)
        if storesSignedAsUnsigned || shiftsDepthwiseInputs {
            Int8LoweringPass.storeSignedAsUnsigned(&program, convolutions: storesSignedAsUnsigned, depthwise: shiftsDepthwiseInputs)
        }
        Int8LoweringPass.castIntegerReads(&program, integerOps: integerOps, zeroPoints: lowering.zeroPoints)
        program.removeUnreferenced(before, params: &params)
    }

    /// Writes the lowered ops and var declarations; returns the positions of the kept ops that run on integers.
    private func emit(_ l: Int8Lowering, into program: inout Program, params: inout [String: Tensor]) throws -> Set<Int> {
        var ops: [OpDesc] = [], integerOps = Set<Int>()
        for (i, original) in program.ops.enumerated() where !l.dropped.contains(i) {
            ops += l.insertions[i] ?? []   // int8_quantize: an integer input gets its float copy (castIntegerReads)
            var op = l.replacements[i] ?? original
            if let renames = l.outputRenames[i] { op.outputs = op.outputs.mapValues { $0.map { renames[$0] ?? $0 } } }
            if l.integerOps.contains(i) { integerOps.insert(ops.count) }
            ops.append(op)
        }
        program.ops = ops
        for (name, type) in l.integerVars where program.has(name) { program.update(name) { $0.dtype = type } }
        for v in l.newVars { try program.declareNew(v) }
        for (name, value) in l.newParams { params[name] = value }
        return integerOps
    }

    /// Step 5: each s8 output of an `int8_conv2d` (one writer, not fetched) whose every reader is
    /// an `int8_conv2d` reading it as its `Input`, with groups 1 (`convolutions`; the writer's
    /// epilogue without a linear post-op of its own) or depthwise (`depthwise`), becomes u8 plus
    /// 128: the writer's epilogue adds 128 after rounding (folded into the beta of its linear
    /// post-op when it has one), each reader gets `input_shift` 128 (oneDNN's source zero point:
    /// subtracted in s32, exact).
    static func storeSignedAsUnsigned(_ program: inout Program, convolutions: Bool, depthwise: Bool) {
        let graph = Int8Graph(program)
        var writers: [String: Int] = [:]
        for op in program.ops { for name in op.outputNames { writers[name, default: 0] += 1 } }
        func readsAsInput(_ r: Int, _ v: String) -> Bool {
            let op = program.ops[r]
            guard op.type == Int8Conv2DOp.type, op.input("Input") == v, op.inputNames.filter({ $0 == v }).count == 1,
                  op.attrs["input_zero_point"] == nil, op.attrs["input_shift"] == nil else { return false }
            return op.int("groups", default: 1) == 1 ? convolutions : depthwise && isDepthwise(op)
        }
        func isDepthwise(_ op: OpDesc) -> Bool {
            guard let x = op.input("Input").flatMap(program.variable), x.shape.count == 4,
                  let w = op.input("Filter").flatMap(program.variable) else { return false }
            return Kernels.isDepthwise(inputChannels: x.shape[1], filterShape: w.shape, groups: op.int("groups", default: 1))
        }
        for (i, op) in program.ops.enumerated() where op.type == Int8Conv2DOp.type {
            guard let out = op.output("Output"), writers[out] == 1, !graph.fetches.contains(out),
                  program.variable(out)?.dtype == .s8, var epilogue = try? Int8Epilogue(op), epilogue.outputType == .s8,
                  let readers = graph.readers[out], !readers.isEmpty, readers.allSatisfy({ readsAsInput($0, out) }),
                  !epilogue.usesLinearPostOp || readers.allSatisfy({ isDepthwise(program.ops[$0]) })
            else { continue }
            epilogue.outputType = .u8
            epilogue.outputZeroPoint = 128
            program.ops[i].attrs.merge(epilogue.attrs) { _, new in new }
            for r in readers { program.ops[r].attrs["input_shift"] = .int(128) }
            program.update(out) { $0.dtype = .u8 }
        }
    }

    /// Inserts `int8_to_float` before the first op (other than the int8 ops and `integerOps`)
    /// that reads each u8/s8 var, and makes those ops read the f32 copy `<v>.float`.
    static func castIntegerReads(_ program: inout Program, integerOps: Set<Int>, zeroPoints: [String: Int] = [:]) {
        var cast: [String: String] = [:], ops: [OpDesc] = []
        for (p, var op) in program.ops.enumerated() {
            if !integerOps.contains(p) && !Int8Ops.integerInputTypes.contains(op.type) {
                for name in op.inputNames where cast[name] == nil {
                    guard let v = program.variable(name), v.dtype == .u8 || v.dtype == .s8 else { continue }
                    let floatName = QuantNames.float(name)
                    program.declare(VarDesc(name: floatName, shape: v.shape))
                    ops.append(OpDesc(type: Int8ToFloatOp.type, inputs: ["X": [name]], outputs: ["Out": [floatName]],
                                      attrs: zeroPoints[name].map { ["zero_point": .int($0)] } ?? [:]))
                    cast[name] = floatName
                }
                op.renameInputs(cast)
            }
            ops.append(op)
        }
        program.ops = ops
    }
}
