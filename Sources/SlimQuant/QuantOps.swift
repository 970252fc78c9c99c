import SlimGraph

/// SlimQuant's op types: the fake-quant ops of Paddle Fluid 1.6 and slim's `int8_to_float`.
public enum QuantOps {
    /// Every op SlimQuant implements.
    public static let all: [any Operator.Type] = [
        FakeQuantizeAbsMaxOp.self,
        FakeChannelWiseQuantizeAbsMaxOp.self,
        FakeQuantizeRangeAbsMaxOp.self,
        FakeQuantizeMovingAverageAbsMaxOp.self,
        FakeDequantizeMaxAbsOp.self,
        FakeChannelWiseDequantizeMaxAbsOp.self,
        Int8ToFloatOp.self,
        FakeQuantizeDequantizeAbsMaxOp.self,
        FakeQuantizeDequantizeMovingAverageAbsMaxOp.self,
        FakeQuantizeDequantizeRangeAbsMaxOp.self,
        FakeChannelWiseQuantizeDequantizeAbsMaxOp.self,
    ]

    /// The quantizer op types (they read `X`, write integer values to `Out` and the scale to `OutScale`).
    public static let quantizeTypes: Set<String> = [
        FakeQuantizeAbsMaxOp.type, FakeChannelWiseQuantizeAbsMaxOp.type,
        FakeQuantizeRangeAbsMaxOp.type, FakeQuantizeMovingAverageAbsMaxOp.type,
    ]

    /// The dequantizer op types (they read `X` and write `Out`).
    public static let dequantizeTypes: Set<String> = [FakeDequantizeMaxAbsOp.type, FakeChannelWiseDequantizeMaxAbsOp.type]
}

/// Registers SlimQuant's ops in `registry`, and the fusion of each quantizer with its dequantizer
/// (`FakeQuantizeDequantize`) that executors apply (idempotent: registering again replaces them
/// with themselves). Call it once before building an `Executor` for a quantized program; spelled
/// `SlimQuant.registerOps()` from other modules.
public func registerOps(in registry: OpRegistry = .shared) {
    for op in QuantOps.all { registry.register(op) }
    registry.registerFusion(named: "fake_quantize_dequantize", FakeQuantizeDequantize.fuse)
}
