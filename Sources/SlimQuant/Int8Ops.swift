import SlimGraph

/// The ops of slim's INT8 engine (what `Int8LoweringPass` emits).
public enum Int8Ops {
    public static let all: [any Operator.Type] = [Int8QuantizeOp.self, Int8Conv2DOp.self, Int8MulOp.self, Int8Pool2DOp.self]

    /// Op types that read integer (u8/s8) activations.
    static let integerInputTypes: Set<String> = [Int8Conv2DOp.type, Int8MulOp.type, Int8Pool2DOp.type]

    /// Registers the INT8 engine's ops and the fake-quant ops (a lowered program keeps some,
    /// e.g. the dequantizer of a dynamic-scale chain) in `registry`. Idempotent.
    public static func register(in registry: OpRegistry = .shared) {
        registerOps(in: registry)
        for op in all { registry.register(op) }
    }
}
