import SlimGraph
import SlimTensor

/// One quantized op of a frozen INT8 program and the ops the INT8 engine fuses into it:
///
///     Out(quantizer) -> conv2d | depthwise_conv2d | mul (s8 weight) -> dequantizer
///       [-> elementwise_add (bias) | batch_norm]* [-> elementwise_add (residual)] [-> relu | relu6 | leaky_relu | hard_swish | hard_sigmoid]   -> end
///
/// The dequantizer takes the accumulator to `s_act / max_range * acc` per tensor,
/// `s_w[o] * s_act / (bin_w * bin_a) * acc` per channel; bias adds and eval-mode batch norms are
/// per-channel affine maps `a[o] * v + c[o]` composed onto it, so the chain computes
///
///     end = act(scales[o] * acc + shift[o] (+ residual))
///
/// Bias, batch norm, residual and activation are fused only for a static activation scale; with
/// a dynamic one (`abs_max`) the chain is the op alone and the dequantizer stays in the program.
struct Int8Chain {
    enum Activation {
        case relu
        case relu6(threshold: Float)
        case leakyRelu(alpha: Float)
        /// Paddle's `hard_swish` with its defaults (6, 6, 3).
        case hardSwish
        /// `min(max(slope * x + offset, 0), 1)` (a squeeze-and-excitation gate).
        case hardSigmoid(slope: Float, offset: Float)
    }

    var op: Int
    var quantizer: ActivationQuantizer
    var weight: String
    var channels: Int
    /// Accumulator to output, one or one per channel; nil for a dynamic activation scale.
    var scales: [Float]?
    /// Per-channel shift after scaling (bias, batch norm); nil when there is none.
    var shift: [Float]?
    /// A same-shaped f32 var added before the activation (a residual shortcut).
    var residual: String?
    var activation: Activation?
    /// The ops fused after `op`, in program order (the dequantizer first when static).
    var fused: [Int] = []
    /// The var the chain's last op writes.
    var end: String
    /// With an asymmetric quantizer (zero point z): the op's weights, whose per-output sums give the
    /// `-z Σ w[o]` the op's bias carries when the kernel does not subtract z itself (`Int8ZeroPoint`).
    /// (`columns`: a `mul`'s weights, one output per column.)
    var zeroPointWeights: (weights: Tensor, columns: Bool)?

    /// `Σ w[o]` over each output's weights (`zeroPointWeights`), computed only when asked for.
    var weightSums: [Double]? {
        zeroPointWeights.map { Int8ZeroPoint.weightSums($0.weights, channels: channels, columns: $0.columns) }
    }

    /// Where the int8 op goes: the chain's last op (every input, a residual included, is ready there).
    var position: Int { fused.last ?? op }

    /// The chain starting at op `i`, or nil when it is not a lowerable quantized op. It does not
    /// fuse the ops in `claimed` (a residual add that an earlier chain fused already).
    init?(at i: Int, graph: Int8Graph, quantizers: [String: ActivationQuantizer], params: [String: Tensor], claimed: Set<Int> = []) {
        let op = graph.ops[i]
        guard let slots = QuantizableOp.inputSlots[op.type], op.inputs.count == 2,
              let a = op.inputs[slots[0]], a.count == 1, let q = quantizers[a[0]],
              let w = op.inputs[slots[1]], w.count == 1, let wv = graph.variable(w[0]), wv.persistable, wv.dtype == .s8,
              params[w[0]]?.dtype == .s8, op.outputNames.count == 1, let out = op.outputNames.first,
              let d = graph.soleReader(of: out), graph.ops[d].input("X") == out, let dOut = graph.ops[d].output("Out")
        else { return nil }
        let channels = op.type == "mul" ? wv.shape[op.int("y_num_col_dims", default: 1)...].reduce(1, *) : wv.shape[0]
        guard channels > 0, let scales = Int8Chain.scales(graph.ops[d], quantizer: q, channels: channels, params: params) else { return nil }
        (self.op, quantizer, weight, self.channels, end) = (i, q, w[0], channels, out)
        if q.zeroPoint != nil, let wt = params[w[0]] { zeroPointWeights = (wt, op.type == "mul") }
        guard q.staticScale != nil else { return }
        self.scales = scales
        fused = [d]
        end = dOut
        extend(graph: graph, params: params, claimed: claimed)
    }

    /// The accumulator-to-output scales the dequantizer applies, or nil when it is not the
    /// dequantizer of this op's quantizer.
    private static func scales(_ d: OpDesc, quantizer q: ActivationQuantizer, channels: Int, params: [String: Tensor]) -> [Float]? {
        let sAct = Double(q.staticScale ?? 1)
        switch d.type {
        case FakeDequantizeMaxAbsOp.type:
            guard d.inputs["Scale"] == [q.scaleVar], let range = d.attrs["max_range"]?.floatValue, range.isFinite, range > 0 else { return nil }
            return [Float(sAct / range)]
        case FakeChannelWiseDequantizeMaxAbsOp.type:
            let bits = d.ints("quant_bits", default: [])
            guard let s = d.inputs["Scales"], s.count == 2, s[1] == q.scaleVar, bits.count == 2, bits[1] == q.bits,
                  FakeQuant.bitRange.contains(bits[0]), let ws = params[s[0]], ws.dtype == .f32, ws.count == channels else { return nil }
            let range = Double(FakeQuant.bin(bits: bits[0])) * Double(q.bin)
            guard range > 0 else { return nil }
            return ws.floats.map { Float(Double($0) * sAct / range) }
        default:
            return nil
        }
    }

    /// Fuses the ops that follow, each the sole reader of the value before it: per-channel affine
    /// ops, then at most one residual add, then at most one activation.
    private mutating func extend(graph: Int8Graph, params: [String: Tensor], claimed: Set<Int>) {
        while let r = graph.soleReader(of: end), !claimed.contains(r), let out = graph.ops[r].output(graph.ops[r].type == "batch_norm" ? "Y" : "Out") {
            let next = graph.ops[r]
            if residual == nil, let (k, c) = Int8Affine.of(next, x: end, graph: graph, params: params, channels: channels) {
                guard compose(k, c) else { return }
            } else if let other = Int8Affine.residual(next, x: end, graph: graph) {
                residual = other
            } else if next.type == "relu" || next.type == "relu6", next.input("X") == end {
                activation = next.type == "relu" ? .relu : .relu6(threshold: Float(next.float("threshold", default: 6)))
            } else if next.type == "leaky_relu", next.input("X") == end {
                let alpha = Float(next.float("alpha", default: 0.02))
                guard alpha.isFinite, alpha >= 0 else { return }
                activation = .leakyRelu(alpha: alpha)
            } else if next.type == "hard_swish", next.input("X") == end,
                      [next.float("threshold", default: 6), next.float("scale", default: 6), next.float("offset", default: 3)] == [6, 6, 3] {
                activation = .hardSwish
            } else if next.type == "hard_sigmoid", next.input("X") == end {
                let slope = Float(next.float("slope", default: 0.2)), offset = Float(next.float("offset", default: 0.5))
                guard slope.isFinite, offset.isFinite else { return }
                activation = .hardSigmoid(slope: slope, offset: offset)
            } else {
                return
            }
            fused.append(r)
            end = out
            if activation != nil { return }
        }
    }

    /// The scale of a channel whose map scale is 0 (a batch norm scale of 0, or filters decayed to
    /// zero): the channel outputs its shift alone. The shift is held in accumulator units
    /// (shift / scale), so the scale must not be 0; at 1e-20 the shift stays finite up to 1e18 and
    /// the accumulator's share (below 2^31 * 1e-20) vanishes next to it.
    static let deadChannelScale: Float = 1e-20

    /// `v -> k[o] * v + c[o]` after the current map; false (nothing changed) when a scale would not
    /// be finite.
    private mutating func compose(_ k: [Double]?, _ c: [Double]) -> Bool {
        guard let current = scales else { return false }
        var newScales: [Float] = current
        if let k {
            newScales = (0..<channels).map { o -> Float in Float(Double(current[current.count == 1 ? 0 : o]) * k[o]) }
        }
        newScales = newScales.map { (s: Float) -> Float in s == 0 ? Self.deadChannelScale : s }
        guard newScales.allSatisfy({ $0.isFinite }) else { return false }
        let oldShift = shift.map { $0.map(Double.init) } ?? [Double](repeating: 0, count: channels)
        let newShift = (0..<channels).map { Float(oldShift[$0] * (k?[$0] ?? 1) + c[$0]) }
        // The shift in accumulator units (shift / scale, the int8 conv's bias) must stay finite.
        guard newShift.indices.allSatisfy({ (newShift[$0] / newScales[newScales.count == 1 ? 0 : $0]).isFinite }) else { return false }
        shift = newShift
        scales = newScales
        return true
    }
}
