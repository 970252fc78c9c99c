import SlimGraph

/// `fake_channel_wise_quantize_abs_max` + `fake_channel_wise_dequantize_max_abs` as one op (`FakeQuantizeDequantize`).
public enum FakeChannelWiseQuantizeDequantizeAbsMaxOp: Operator {
    public static let type = "fake_channel_wise_quantize_dequantize_abs_max"
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try FakeChannelWiseQuantizeAbsMaxOp.inferShapes(op, inputs: inputs)
    }
    public static func forward(_ context: OpContext) throws { try FakeChannelWiseQuantizeAbsMaxOp.run(context, .dequantized) }
    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
