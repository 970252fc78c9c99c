import SlimGraph
import SlimTensor

/// What the QDQ nodes seen so far stand for (`QDQImporter`).
struct QDQState {
    /// An activation quantized with slim's scale `scale` (bin 127: the ONNX scale times 127),
    /// symmetric (`zeroPoint` nil) or asymmetric uint8 with `zeroPoint`.
    struct Activation {
        var source: String
        var scale: Float
        var zeroPoint: Int?
    }

    /// An int8 weight and its DequantizeLinear scales (one, or one per index of `axis`).
    struct Weight {
        var values: [Int8]
        var shape: [Int]
        var scales: [Float]
        var axis: Int
    }

    /// QuantizeLinear outputs of run-time values.
    var pending: [String: Activation] = [:]
    /// DequantizeLinear outputs of those: a quantized activation.
    var activations: [String: Activation] = [:]
    /// DequantizeLinear outputs of int8 initializers.
    var weights: [String: Weight] = [:]
    /// The slim quantizer (or float round trip) already emitted for (type, source, scale, zero point): its `Out` and scale var.
    var quantizers: [String: (out: String, scale: String)] = [:]
    /// Sources quantized asymmetrically (uint8 with a zero point, kept as ONNX has it).
    var asymmetric: [String] = []
    /// Convolutions and products imported on integers.
    var quantizedOps = 0
}

/// Quantized ONNX in the QDQ format (`QuantizeLinear` -> `DequantizeLinear` on activations,
/// `DequantizeLinear` of int8 initializers for weights), as `slim export` writes an INT8 model and
/// ONNX Runtime's `quantize_static` writes one, imported keeping its scales: a `Conv` or `MatMul`
/// reading a quantized activation and a quantized weight becomes slim's frozen INT8 form, which
/// the INT8 engine runs on integer kernels:
///
///     x -> fake_quantize_moving_average_abs_max (is_test, InScale = s_x * 127) -> conv2d | mul
///       (s8 weight `<w>.int8`) -> fake_channel_wise_dequantize_max_abs (Scales = [s_w * 127, InScale])
///
/// with `s_x`, `s_w` the ONNX scales. An int8 zero point 0 is slim's symmetric quantizer; any
/// other activation (uint8, any zero point; int8 with a zero point other than 0, stored as uint8
/// with the zero point plus 128) keeps its zero point `z` (attr `zero_point` of the quantizer:
/// `Out = clamp(round(x / s_x), -z, 255 - z)`, the INT8 engine's uint8 value `Out + z`), so the
/// saturation ONNX Runtime relies on (a uint8 zero point 0 where it dropped a Relu) is the
/// quantizer's own. Weights must be int8 with zero point 0. A symmetric quantized activation read
/// by any other op is read unquantized; an asymmetric one through the same quantizer in float
/// (`fake_quantize_dequantize_moving_average_abs_max` with the zero point), so each op between
/// two quantized convolutions sees the values ONNX Runtime's INT8 run rounds to. A dequantized
/// weight read by any other op is its float value.
enum QDQImporter {
    /// Absorbs a QuantizeLinear / DequantizeLinear node into `context.qdq`; false for any other node
    /// (and for QDQ nodes of other forms, which then fail as unsupported).
    static func absorb(_ context: inout ImportContext) throws -> Bool {
        switch context.node.opType {
        case "QuantizeLinear": return try quantize(&context)
        case "DequantizeLinear": return try dequantize(&context)
        default: return false
        }
    }

    private static func quantize(_ context: inout ImportContext) throws -> Bool {
        let node = context.node
        guard context.constant(0) == nil, node.output.count == 1 else { return false }
        let s = try context.requireConstant(1, "scale")
        guard s.count == 1, let scale = s.values.first.map(Float.init), scale > 0, scale.isFinite else {
            throw context.unsupported("an activation scale of \(s.count) values (slim quantizes activations per tensor)")
        }
        let zero = context.constant(2)?.values.first ?? 0
        let signed = context.hasInput(2) && context.elementTypes[node.input[2]] == 3
        let exact = signed && zero == 0
        let unsignedZero = Int(signed ? zero + 128 : zero)
        guard exact || (0...255).contains(unsignedZero) else {
            throw context.malformed("zero point \(zero) outside the range of its type")
        }
        var source = try context.variable(0)
        // `Clip(-t, t) -> QuantizeLinear` (slim's export: its quantizers clip to the range they
        // cover) is the quantizer alone; the Clip, when nothing else reads it, is pruned at the end.
        if exact, let clip = context.program.ops.last(where: { $0.outputs["Out"] == [source] }), clip.type == "clip",
           let x = clip.inputs["X"]?.first, abs(clip.float("min", default: 0) + clip.float("max", default: 0)) <= 1e-6 * abs(clip.float("max", default: 0)),
           abs(clip.float("max", default: 0) - Double(scale) * 127) <= 1e-5 * Double(scale) * 127 {
            source = x
        }
        if !exact { context.qdq.asymmetric.append(source) }
        // Symmetric: slim's 127 levels a side; asymmetric: the ONNX scale, times slim's bin 127.
        context.qdq.pending[node.output[0]] = QDQState.Activation(source: source, scale: Float(Double(scale) * 127),
                                                                  zeroPoint: exact ? nil : unsignedZero)
        return true
    }

    private static func dequantize(_ context: inout ImportContext) throws -> Bool {
        let node = context.node
        guard node.output.count == 1, context.hasInput(0) else { return false }
        if let a = context.qdq.pending[node.input[0]] {
            context.qdq.activations[node.output[0]] = a
            // Read by ops slim does not quantize: unquantized (symmetric), or rounded as ONNX does
            // (asymmetric; pruned when only quantized ops read it).
            context.vars[node.output[0]] = a.zeroPoint == nil ? a.source : roundTrip(a, context: &context)
            return true
        }
        guard let q = context.constant(0) else { return false }
        let s = try context.requireConstant(1, "scale")
        let zero = context.constant(2)?.values ?? [0]
        let axis = node.int("axis", default: 1), rank = q.shape.count
        let channels = s.count == 1 ? 1 : (rank > 0 ? q.shape[(axis + rank) % rank] : 0)
        guard s.count == 1 || s.count == channels, zero.count == 1 || zero.count == s.count else {
            throw context.malformed("\(s.count) scales and \(zero.count) zero points for a \(q.shape) tensor on axis \(axis)")
        }
        let inner = s.count == 1 ? q.count : q.shape[((axis + rank) % rank + 1)...].reduce(1, *)
        let index = { (i: Int) in s.count == 1 ? 0 : (i / inner) % s.count }
        let floats = q.values.indices.map { i in (q.values[i] - zero[zero.count == 1 ? 0 : index(i)]) * s.values[index(i)] }
        context.constants[node.output[0]] = ImportedConstant(shape: q.shape, values: floats, isFloat: true)
        if context.elementTypes[node.input[0]] == 3, zero.allSatisfy({ $0 == 0 }) {
            context.qdq.weights[node.output[0]] = QDQState.Weight(values: q.values.map { Int8($0) }, shape: q.shape,
                                                                  scales: s.values.map(Float.init), axis: (axis + rank) % max(rank, 1))
        }
        return true
    }

    /// The quantized operands of the current node (input 0 a quantized activation, input 1 an
    /// int8 weight quantized per tensor or along `weightAxis`): emits the activation's quantizer
    /// (once per source and scale) and the s8 weight; nil when the node is not quantized.
    static func operands(_ context: inout ImportContext, weightAxis: Int) throws -> (input: String, weight: String, scales: [String])? {
        let node = context.node
        guard context.hasInput(1), let a = context.qdq.activations[node.input[0]], let w = context.qdq.weights[node.input[1]],
              w.scales.count == 1 || w.axis == weightAxis else { return nil }
        let quantizer = emitQuantizer(a, type: "fake_quantize_moving_average_abs_max", context: &context)
        let base = node.input[1].hasSuffix(".dequantized") ? String(node.input[1].dropLast(".dequantized".count)) : node.input[1]
        let weight = context.reserve("\(base).int8")
        context.program.declare(VarDesc(name: weight, shape: w.shape, dtype: .s8, persistable: true))
        context.params[weight] = Tensor(shape: w.shape, dtype: .s8, integers: w.values.map(Int.init))
        let channels = w.shape[weightAxis]
        let perChannel = w.scales.count == 1 ? [Float](repeating: w.scales[0], count: channels) : w.scales
        let channelScale = context.parameter(Tensor(shape: [channels], floats: perChannel.map { $0 * 127 }), name: "\(base).channel_scale")
        context.qdq.quantizedOps += 1
        return (quantizer.out, weight, [channelScale, quantizer.scale])
    }

    /// The quantizer of `a` (`type`: the quantizer, or the quantize-dequantize round trip), emitted
    /// once per source, scale and zero point: its `Out` and scale var.
    private static func emitQuantizer(_ a: QDQState.Activation, type: String, context: inout ImportContext) -> (out: String, scale: String) {
        let key = "\(type)|\(a.source)|\(a.scale.bitPattern)|\(a.zeroPoint.map(String.init) ?? "")"
        if let done = context.qdq.quantizers[key] { return done }
        let scale = context.parameter(Tensor(shape: [1], floats: [a.scale]), name: "\(a.source).scale")
        let out = context.temporary("\(a.source).\(type.contains("dequantize") ? "rounded" : "quantized")")
        context.program.declare(VarDesc(name: out, shape: context.shape(a.source)))
        var attrs: [String: Attribute] = ["bit_length": .int(8), "is_test": .bool(true), "moving_rate": .float(0.9)]
        if let z = a.zeroPoint { attrs["zero_point"] = .int(z) }
        context.program.ops.append(OpDesc(type: type, inputs: ["X": [a.source], "InScale": [scale]], outputs: ["Out": [out], "OutScale": [scale]],
                                          attrs: attrs))
        context.qdq.quantizers[key] = (out, scale)
        return (out, scale)
    }

    /// The float quantize-dequantize of asymmetric activation `a` (ONNX's `DequantizeLinear(QuantizeLinear(x))`).
    private static func roundTrip(_ a: QDQState.Activation, context: inout ImportContext) -> String {
        emitQuantizer(a, type: "fake_quantize_dequantize_moving_average_abs_max", context: &context).out
    }

    /// Appends the dequantizer of a quantized op's result `x` into `out` (declared like `x`).
    static func dequantize(_ x: String, into out: String, scales: [String], context: inout ImportContext) {
        if !context.program.has(out) { context.program.declare(VarDesc(name: out, shape: context.shape(x))) }
        context.program.ops.append(OpDesc(type: "fake_channel_wise_dequantize_max_abs", inputs: ["X": [x], "Scales": scales],
                                          outputs: ["Out": [out]], attrs: ["quant_bits": .ints([8, 8])]))
    }
}
