import SlimGraph

/// The op types the quantization passes know how to quantize, and which of their slots are
/// quantized (Paddle 1.6: `conv2d`, `depthwise_conv2d`, `mul`).
public enum QuantizableOp {
    /// The default `quantizable_op_type` list.
    public static let defaultTypes = ["conv2d", "depthwise_conv2d", "mul"]

    /// Conv ops: their filters `[O, C/g, KH, KW]` may be quantized per output channel.
    static let convTypes: Set<String> = ["conv2d", "depthwise_conv2d"]

    /// Quantized input slots by op type, in Paddle's slot order (activation, then weight).
    static let inputSlots: [String: [String]] = [
        "conv2d": ["Input", "Filter"], "depthwise_conv2d": ["Input", "Filter"], "mul": ["X", "Y"],
    ]

    /// Paddle 1.6's default `skip_pattern`: an op whose `op_namescope` attr contains it stays float.
    public static let skipPattern = "skip_quant"

    /// Whether `op` is left unquantized on request: its `op_namescope` contains `skipPattern`
    /// (Paddle 1.6's `QuantizationTransformPass`), or its `skip_quant` attr is true.
    public static func isSkipped(_ op: OpDesc) -> Bool {
        op.attrs["op_namescope"]?.stringValue?.contains(skipPattern) == true || op.attrs["skip_quant"]?.boolValue == true
    }

    /// The quantized input slots of `type` (empty for other types).
    static func inputSlots(of type: String) -> [String] { inputSlots[type] ?? [] }

    /// Checks that every type in `types` is one the passes support.
    /// - Throws: `GraphError` listing the supported types.
    static func validate(_ types: [String]) throws {
        for type in types where inputSlots[type] == nil {
            throw GraphError("op type '\(type)' cannot be quantized", hints: ["quantizable op types: \(defaultTypes.joined(separator: ", "))"])
        }
    }

    /// Checks a bit length option of a pass.
    /// - Throws: `GraphError` naming the option when it is outside 1...16.
    static func validate(bits: Int, name: String) throws {
        guard FakeQuant.bitRange.contains(bits) else { throw GraphError("\(name) \(bits) is outside 1...16") }
    }
}
