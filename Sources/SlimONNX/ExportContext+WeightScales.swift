import SlimGraph
import SlimTensor

extension ExportContext {
    /// The DequantizeLinear scales of a quantized op's weight, read off the dequantizer the freeze
    /// pass put after the op:
    ///
    /// - `fake_dequantize_max_abs` (`Scale = s_a`, `max_range = bin_a * bin_w / s_w`):
    ///   one scale `s_w / bin_w = bin_a / max_range`;
    /// - `fake_channel_wise_dequantize_max_abs` (`Scales = [s_w per channel, s_a]`,
    ///   `quant_bits = [b_w, b_a]`): `s_w[c] / bin_w` per output channel.
    ///
    /// With `q`'s QuantizeLinear scale `s_a / bin_a` the product is the dequantizer's
    /// `s_a * s_w / (bin_a * bin_w)`.
    /// - Throws: when the dequantizer's activation scale is not `q`'s, or the attrs are malformed.
    func weightScales(_ dequantizer: OpDesc, activation q: ActivationQuantization,
                               channels: Int, for op: OpDesc) throws -> [Float] {
        switch dequantizer.type {
        case "fake_dequantize_max_abs":
            try checkActivationScale(dequantizer.input("Scale"), dequantizer, q)
            guard let range = dequantizer.attrs["max_range"]?.floatValue, range.isFinite, range > 0 else {
                throw ONNXExportError.op(dequantizer, "needs a finite attr max_range > 0 (after the quantized '\(op.type)')")
            }
            return [Float(Double(q.bin) / range)]
        default:
            let scales = dequantizer.inputs["Scales"] ?? []
            guard scales.count == 2 else {
                throw ONNXExportError.op(dequantizer, "has \(scales.count) Scales after the quantized '\(op.type)'; a frozen program gives 2 (weight channels, activation)")
            }
            try checkActivationScale(scales[1], dequantizer, q)
            let bits = dequantizer.ints("quant_bits", default: [8, 8])
            guard bits.count == 2, (2...8).contains(bits[0]), bits[1] == q.bits else {
                throw ONNXExportError.op(dequantizer, "quant_bits \(bits) do not fit int8 weights and the \(q.bits)-bit activation quantizer")
            }
            let channelScales = try param(scales[0], for: dequantizer)
            guard channelScales.dtype == .f32, channelScales.count == channels else {
                throw ONNXExportError.op(dequantizer, "weight scales '\(scales[0])' hold \(channelScales.count) values for \(channels) output channels of '\(op.type)'")
            }
            let bin = Float((1 << (bits[0] - 1)) - 1)
            return channelScales.floats.map { Self.guarded($0) / bin }
        }
    }

    private func checkActivationScale(_ name: String?, _ dequantizer: OpDesc, _ q: ActivationQuantization) throws {
        guard let name, q.scaleVars.contains(name) else {
            throw ONNXExportError.op(dequantizer, "uses the activation scale '\(name ?? "nothing")', not '\(q.scaleVars.sorted().joined(separator: "' or '"))' of the quantizer of '\(q.quantizedVar)'")
        }
    }
}
