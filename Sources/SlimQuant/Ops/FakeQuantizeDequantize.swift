import SlimGraph
import SlimTensor

/// A quantizer and the dequantizer after it, run as one op: the quantizer's forward with
/// `Out = q * s / bin` (the dequantized values, in one pass over `X`) instead of the integers
/// `q`. Executors make them from the pairs `QuantizationTransformPass` inserts (`fuse`); programs
/// keep the two ops, so the freeze pass, ConvertToInt8Pass and saved programs see Paddle 1.6's ops.
/// The names are Paddle 2's for the same fused computation.
///
///     fake_quantize_abs_max + fake_dequantize_max_abs                                   -> fake_quantize_dequantize_abs_max
///     fake_quantize_moving_average_abs_max + fake_dequantize_max_abs                    -> fake_quantize_dequantize_moving_average_abs_max
///     fake_quantize_range_abs_max + fake_dequantize_max_abs                             -> fake_quantize_dequantize_range_abs_max
///     fake_channel_wise_quantize_abs_max + fake_channel_wise_dequantize_max_abs (1 scale) -> fake_channel_wise_quantize_dequantize_abs_max
///
/// Gradient (straight-through): `dX = dOut` where `|x| <= s`, 0 elsewhere, the two ops' gradients
/// composed. Outputs and gradients are bit for bit those of the two ops.
public enum FakeQuantizeDequantize {
    /// The fused op types, by the type of the quantizer they replace.
    static let fusedTypes: [String: any Operator.Type] = [
        FakeQuantizeAbsMaxOp.type: FakeQuantizeDequantizeAbsMaxOp.self,
        FakeQuantizeMovingAverageAbsMaxOp.type: FakeQuantizeDequantizeMovingAverageAbsMaxOp.self,
        FakeQuantizeRangeAbsMaxOp.type: FakeQuantizeDequantizeRangeAbsMaxOp.self,
        FakeChannelWiseQuantizeAbsMaxOp.type: FakeChannelWiseQuantizeDequantizeAbsMaxOp.self,
    ]

    /// The fused op of `quantizer` followed by `dequantizer`, and the quantized var between them,
    /// when the dequantizer reads exactly the quantizer's `Out` and `OutScale` with the range of
    /// its `bit_length` (`max_range = bin`, or `quant_bits = [bit_length]`); nil otherwise.
    @Sendable
    public static func fuse(_ quantizer: OpDesc, _ dequantizer: OpDesc) -> (op: OpDesc, between: String)? {
        guard let fused = fusedTypes[quantizer.type], quantizer.outputs["Out"]?.count == 1, let between = quantizer.output("Out"),
              quantizer.outputs["OutScale"]?.count == 1, let scale = quantizer.output("OutScale"),
              dequantizer.inputs["X"] == [between], let out = dequantizer.outputs["Out"], out.count == 1 else { return nil }
        let bits = quantizer.int("bit_length", default: 8)
        guard FakeQuant.bitRange.contains(bits) else { return nil }
        let channelWise = quantizer.type == FakeChannelWiseQuantizeAbsMaxOp.type
        switch dequantizer.type {
        case FakeDequantizeMaxAbsOp.type where !channelWise:
            guard dequantizer.inputs["Scale"] == [scale],
                  dequantizer.attrs["max_range"]?.floatValue == Double(FakeQuant.bin(bits: bits)) else { return nil }
        case FakeChannelWiseDequantizeMaxAbsOp.type where channelWise:
            guard dequantizer.inputs["Scales"] == [scale], dequantizer.ints("quant_bits", default: [8]) == [bits] else { return nil }
        default:
            return nil
        }
        var op = quantizer
        op.type = fused.type
        op.outputs["Out"] = out
        return (op, between)
    }
}
