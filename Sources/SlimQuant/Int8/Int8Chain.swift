import SlimGraph
import SlimTensor

/// One quantized op of a frozen INT8 program and the ops the INT8 engine fuses into it:
///
///     Out(quantizer) -> conv2d | depthwise_conv2d | mul (s8 weight) -> dequantizer
///       [-> elementwise_add (bias [O] on the channel axis)] [-> relu | relu6]   -> end
///
/// `scales` take the accumulator to the dequantizer's output: `s_act / max_range` per tensor,
/// `s_w[o] * s_act / (bin_w * bin_a)` per channel. Bias and activation are fused only for a
/// static activation scale; with a dynamic one (`abs_max`) the chain is the op alone and the
/// dequantizer stays in the program (it reads the run's scale).
struct Int8Chain {
    enum Activation {
        case relu
        case relu6(threshold: Float)
    }

    var op: Int
    var quantizer: ActivationQuantizer
    var weight: String
    var dequantizer: Int
    var channels: Int
    /// Per output channel or one; nil for a dynamic activation scale.
    var scales: [Float]?
    var bias: (op: Int, value: [Float])?
    var activation: (op: Int, kind: Activation)?
    /// The var the chain's last op writes.
    var end: String

    /// The ops the chain replaces besides `op`.
    var fused: [Int] {
        (scales == nil ? [] : [dequantizer]) + [bias?.op, activation?.op].compactMap { $0 }
    }

    /// The chain starting at op `i`, or nil when it is not a lowerable quantized op.
    init?(at i: Int, graph: Int8Graph, quantizers: [String: ActivationQuantizer], params: [String: Tensor]) {
        let op = graph.ops[i]
        guard let slots = QuantizableOp.inputSlots[op.type], op.inputs.count == 2,
              let a = op.inputs[slots[0]], a.count == 1, let q = quantizers[a[0]],
              let w = op.inputs[slots[1]], w.count == 1, let wv = graph.variable(w[0]), wv.persistable, wv.dtype == .s8,
              params[w[0]]?.dtype == .s8, op.outputNames.count == 1, let out = op.outputNames.first,
              let d = graph.soleReader(of: out), graph.ops[d].input("X") == out, let dOut = graph.ops[d].output("Out")
        else { return nil }
        let channels = op.type == "mul" ? wv.shape[op.int("y_num_col_dims", default: 1)...].reduce(1, *) : wv.shape[0]
        guard channels > 0, let scales = Int8Chain.scales(graph.ops[d], quantizer: q, channels: channels, params: params) else { return nil }
        (self.op, quantizer, weight, dequantizer, self.channels, end) = (i, q, w[0], d, channels, out)
        guard q.staticScale != nil else { return }
        self.scales = scales
        end = dOut
        extend(graph: graph, params: params, channelAxis: op.type == "mul" ? -1 : 1)
    }

    /// The accumulator-to-output scales the dequantizer applies (`[1]`-shaped placeholder for a
    /// dynamic scale), or nil when it is not the dequantizer of this op's quantizer.
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

    /// Adds the bias add and the activation that follow the dequantizer, when they are the sole
    /// readers of the value before them.
    private mutating func extend(graph: Int8Graph, params: [String: Tensor], channelAxis: Int) {
        if let r = graph.soleReader(of: end), let b = Int8Chain.bias(graph.ops[r], x: end, graph: graph, params: params,
                                                                   channels: channels, channelAxis: channelAxis),
           let scales, !scales.contains(0), let out = graph.ops[r].output("Out") {
            bias = (r, b)
            end = out
        }
        guard let r = graph.soleReader(of: end), graph.ops[r].input("X") == end, let out = graph.ops[r].output("Out") else { return }
        switch graph.ops[r].type {
        case "relu": activation = (r, .relu)
        case "relu6": activation = (r, .relu6(threshold: Float(graph.ops[r].float("threshold", default: 6))))
        default: return
        }
        end = out
    }

    /// The bias values when `op` is `x + b` with persistable f32 `b` [channels] on the channel axis.
    private static func bias(_ op: OpDesc, x: String, graph: Int8Graph, params: [String: Tensor], channels: Int, channelAxis: Int) -> [Float]? {
        guard op.type == "elementwise_add", op.inputs["X"] == [x], let y = op.inputs["Y"], y.count == 1,
              let yv = graph.variable(y[0]), yv.persistable, let b = params[y[0]], b.dtype == .f32, b.shape == [channels],
              let rank = graph.variable(x)?.shape.count else { return nil }
        let axis = op.int("axis", default: -1)
        let aligned = channelAxis == 1 ? (axis == 1 || (axis == -1 && rank == 2))
                                       : (axis == -1 || axis == rank - 1)
        return aligned ? b.floats : nil
    }
}
