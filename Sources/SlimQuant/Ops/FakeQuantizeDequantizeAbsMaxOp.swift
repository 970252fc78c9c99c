import SlimGraph

/// `fake_quantize_abs_max` + `fake_dequantize_max_abs` as one op (`FakeQuantizeDequantize`).
public enum FakeQuantizeDequantizeAbsMaxOp: Operator {
    public static let type = "fake_quantize_dequantize_abs_max"
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try FakeQuantizeAbsMaxOp.inferShapes(op, inputs: inputs)
    }
    public static func forward(_ context: OpContext) throws { try FakeQuantizeAbsMaxOp.run(context, .dequantized) }
    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
