import SlimGraph
import SlimQuant
import SlimTensor

/// The inputs of a conv2d / depthwise_conv2d / mul in the exported graph.
struct OpOperands {
    var input: String
    var weight: String
    /// True when both come out of DequantizeLinear (the op's output then needs no dequantizer).
    var quantized: Bool
}

extension ExportContext {
    /// The activation and weight inputs of `op` as ONNX values.
    ///
    /// A float op reads floats. A quantized op of a frozen program (a dequantizer reads its output)
    /// reads `x -> QuantizeLinear(s_a / bin_a) -> DequantizeLinear` and
    /// `DequantizeLinear(int8 W, s_w / bin_w)`, the weight scales taken from that dequantizer, so
    /// `conv(x_dq, W_dq) = conv(q, W) * s_a * s_w / (bin_a * bin_w)`, what the dequantizer computes.
    /// - Parameters:
    ///   - flattenAxis: Flatten the activation at this axis first (`mul`'s `x_num_col_dims`).
    ///   - weightAxis: the weight's output-channel axis (0 for conv filters, 1 for mul's `[K, N]`).
    mutating func operands(of op: OpDesc, input inputSlot: String, weight weightSlot: String,
                           flattenAxis: Int?, weightAxis: Int) throws -> OpOperands {
        let x = try inputName(op, inputSlot), w = try inputName(op, weightSlot)
        let out = op.outputNames.first ?? ""
        let readers = dequantizers[out] ?? []
        guard let dequantizer = readers.first else {
            let input = try float(x, for: op)
            return OpOperands(input: try flattened(input, axis: flattenAxis, name: x), weight: try float(w, for: op), quantized: false)
        }
        guard readers.count == 1 else {
            throw ONNXExportError.op(op, "output '\(out)' is read by \(readers.count) dequantizers; a frozen program has one")
        }
        guard case let .quantizedActivation(q) = try value(x, for: op) else {
            throw ONNXExportError.op(op, "'\(dequantizer.type)' dequantizes its output '\(out)', but its input '\(x)' is not the output of an activation quantizer",
                                     hints: ["export frozen programs as QuantizationFreezePass writes them (slim freeze)"])
        }
        let weightShape = try param(w, for: op).shape
        guard weightAxis < weightShape.count else { throw ONNXExportError.op(op, "weight '\(w)' \(weightShape) has no axis \(weightAxis)") }
        let scales = try weightScales(dequantizer, activation: q, channels: weightShape[weightAxis], for: op)
        let input = try quantizedInput(q, flattenAxis: flattenAxis)
        let weight = try quantizedWeight(w, scales: scales, axis: weightAxis, for: op)
        quantizedOps += 1
        return OpOperands(input: input, weight: weight, quantized: true)
    }

    /// `x` flattened to 2-D at `axis` (`x` itself when `axis` is nil).
    mutating func flattened(_ x: String, axis: Int?, name: String) throws -> String {
        guard let axis else { return x }
        let key = "flatten:\(x):\(axis)"
        if let done = emitted[key] { return done }
        let out = graph.add("Flatten", [x], output: "\(name).flattened", [.int("axis", axis)])
        emitted[key] = out
        return out
    }

    /// `x -> [Flatten] -> [Clip(-s, s)] -> QuantizeLinear -> DequantizeLinear` (int8, zero point 0).
    ///
    /// slim's quantizers clip to `[-bin, bin]`, QuantizeLinear saturates at -128...127 only: the
    /// clip keeps fewer than 8 bits in range, and at 8 bits keeps `x < -s` at -127, not -128 (a
    /// level that compounds layer after layer), so it is left out only for an input that is
    /// provably >= 0 (127 = bin). A per-run scale (`abs_max`) needs none, `|x| <= max |x|`.
    /// An asymmetric quantizer (zero point `z`) is `QuantizeLinear(s / 127, uint8 z)`: its
    /// saturation at 0...255 is slim's clamp to `-z...255 - z`, no Clip.
    mutating func quantizedInput(_ q: ActivationQuantization, flattenAxis: Int?) throws -> String {
        let key = "qdq:\(q.quantizedVar):\(flattenAxis ?? -1)"
        if let done = emitted[key] { return done }
        var x = try flattened(q.source, axis: flattenAxis, name: q.quantizedVar)
        let scale = activationScale(q, input: x)
        if let s = q.storedScale, q.zeroPoint == nil, q.bits < 8 || !q.nonNegative {
            let s = Self.guarded(s)
            x = graph.add("Clip", [x, graph.scalar(-s, name: "\(q.quantizedVar).min"), graph.scalar(s, name: "\(q.quantizedVar).max")],
                          output: "\(q.quantizedVar).clipped")
        }
        let zero = q.zeroPoint.map { graph.uint8Zero(UInt8($0)) } ?? graph.int8Zero()
        let quantized = graph.claim(q.quantizedVar)   // the slim var of the integers names the int8 tensor
        graph.add("QuantizeLinear", [x, scale, zero], [quantized])
        let dequantized = graph.add("DequantizeLinear", [quantized, scale, zero], output: "\(q.quantizedVar).dequantized")
        emitted[key] = dequantized
        return dequantized
    }

    /// The QuantizeLinear scale `s / bin`: a constant for a stored scale, else computed from `x`
    /// as `max(max |x|, 1e-8) / bin` (ReduceMax over every element, as `fake_quantize_abs_max`).
    private mutating func activationScale(_ q: ActivationQuantization, input x: String) -> String {
        if let s = q.storedScale { return graph.scalar(Self.guarded(s) / q.bin, name: "\(q.quantizedVar).scale") }
        let key = "dynamic-scale:\(x)"
        if let done = emitted[key] { return done }
        let base = q.quantizedVar
        let absolute = graph.add("Abs", [x], output: "\(base).abs")
        let maximum = graph.add("ReduceMax", [absolute], output: "\(base).abs_max", [.int("keepdims", 0)])
        let guarded = graph.add("Max", [maximum, graph.scalar(FakeQuant.minimumScale, name: "minimum_scale")], output: "\(base).abs_max.guarded")
        let scale = graph.add("Div", [guarded, graph.scalar(q.bin, name: "\(base).bin")], output: "\(base).scale")
        emitted[key] = scale
        return scale
    }

    /// `DequantizeLinear(int8 W, scales, 0, axis)` for weight `w` (integer-valued f32 of a frozen
    /// float model, or the s8 `<w>.int8` of an int8 model).
    mutating func quantizedWeight(_ w: String, scales: [Float], axis: Int, for op: OpDesc) throws -> String {
        let key = "weight:\(w)"
        if let done = emitted[key] { return done }
        let t = try param(w, for: op)
        let integers = try Self.int8Values(t, name: w, for: op)
        // Named after the float weight either way (`w` or ConvertToInt8Pass's `<w>.int8`).
        let base = w.hasSuffix(".int8") ? String(w.dropLast(5)) : w
        let weight = graph.initializer(.int8s(integers, dims: t.shape), name: "\(base).int8", claimed: base != w)
        let perChannel = scales.count > 1
        let dims = perChannel ? [scales.count] : []
        let scale = graph.initializer(.floats(scales, dims: dims), name: "\(base).scale")
        let zero = graph.initializer(.int8s([Int8](repeating: 0, count: scales.count), dims: dims), name: "\(base).zero_point")
        let out = graph.add("DequantizeLinear", [weight, scale, zero], output: "\(base).dequantized",
                            perChannel ? [.int("axis", axis)] : [])
        emitted[key] = out
        return out
    }

    /// The values of a frozen weight as int8: s8 storage, or f32 holding integers in -128...127.
    static func int8Values(_ t: Tensor, name: String, for op: OpDesc) throws -> [Int8] {
        switch t.dtype {
        case .s8:
            return t.withUnsafeElements(as: Int8.self) { Array($0) }
        case .f32:
            var out: [Int8] = []
            out.reserveCapacity(t.count)
            for x in t.floats {
                guard x.rounded() == x, x >= -128, x <= 127 else {
                    throw ONNXExportError.op(op, "weight '\(name)' holds \(x), not an integer in -128...127",
                                             hints: ["a frozen program's quantized weights are integers (weight_bits <= 8)"])
                }
                out.append(Int8(x))
            }
            return out
        default:
            throw ONNXExportError.op(op, "weight '\(name)' is \(t.dtype); quantized weights are s8 or integer-valued f32")
        }
    }

    /// The scale slim's fake-quant ops compute with (`FakeQuant.guarded`).
    static func guarded(_ s: Float) -> Float { FakeQuant.guarded(s) }

    /// Whether the slim var `name` is provably >= 0: written by `relu`, `relu6`, `softmax` or
    /// `sigmoid`, possibly through ops that keep signs and read one var (`pool2d`, `reshape2`,
    /// `flatten2`, `dropout`).
    func isNonNegative(_ name: String) -> Bool {
        var v = name
        while let op = program.ops.last(where: { $0.outputNames.contains(v) }) {
            if ["relu", "relu6", "softmax", "sigmoid"].contains(op.type) { return true }
            guard ["pool2d", "reshape2", "flatten2", "dropout"].contains(op.type), let x = op.input("X") else { return false }
            v = x
        }
        return false
    }
}
