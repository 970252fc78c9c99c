import SlimGraph

/// `fake_quantize_range_abs_max` + `fake_dequantize_max_abs` as one op (`FakeQuantizeDequantize`).
public enum FakeQuantizeDequantizeRangeAbsMaxOp: Operator {
    public static let type = "fake_quantize_dequantize_range_abs_max"
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try FakeQuantizeRangeAbsMaxOp.inferShapes(op, inputs: inputs)
    }
    public static func forward(_ context: OpContext) throws { try FakeQuantizeRangeAbsMaxOp.run(context, .dequantized) }
    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
