import SlimGraph

/// `fake_quantize_moving_average_abs_max` + `fake_dequantize_max_abs` as one op (`FakeQuantizeDequantize`).
public enum FakeQuantizeDequantizeMovingAverageAbsMaxOp: Operator {
    public static let type = "fake_quantize_dequantize_moving_average_abs_max"
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try FakeQuantizeMovingAverageAbsMaxOp.inferShapes(op, inputs: inputs)
    }
    public static func forward(_ context: OpContext) throws { try FakeQuantizeMovingAverageAbsMaxOp.run(context, .dequantized) }
    public static func backward(_ context: OpContext) throws { try context.straightThroughToX() }
}
