import SlimGraph

/// How a model is quantized: Paddle Fluid 1.6's quantization options (`weight_bits`,
/// `activation_bits`, `weight_quantize_type`, `activation_quantize_type`, `window_size`,
/// `moving_rate`), as one value, like torch.ao's `QConfig`. Every pass and tool that quantizes
/// takes it whole: `QuantizationTransformPass`, `QuantizationFreezePass`,
/// `PostTrainingQuantization`, and above them the compressor strategies, `slim freeze`,
/// `slim calibrate` and `slim bench`.
///
/// With `bin_w = 2^(weightBits-1) - 1` and `bin_a = 2^(activationBits-1) - 1`, a weight `w` with
/// scale `s_w` is stored as `round(w / s_w * bin_w)`, an activation `x` with scale `s_a` as
/// `round(clip(x, -s_a, s_a) / s_a * bin_a)` (half away from zero); the scales come from
/// `weightQuantizeType` and `activationQuantizeType`.
public struct QuantizationScheme: Hashable, Sendable, Codable {
    /// Bits of weights, 1...16.
    public var weightBits: Int
    /// Bits of activations, 1...16.
    public var activationBits: Int
    public var weightQuantizeType: WeightQuantizeType
    public var activationQuantizeType: ActivationQuantizeType
    /// Batches in the `range_abs_max` window (>= 1).
    public var windowSize: Int
    /// `r` of `moving_average_abs_max`: `accum = r * accum + max |x|`, `state = r * state + 1`,
    /// `s = accum / state` (in 0...1).
    public var movingRate: Double

    /// Paddle 1.6's defaults: 8 bits, `abs_max` weights and activations, window 10000, rate 0.9.
    public init(weightBits: Int = 8, activationBits: Int = 8, weightQuantizeType: WeightQuantizeType = .absMax,
                activationQuantizeType: ActivationQuantizeType = .absMax, windowSize: Int = 10000, movingRate: Double = 0.9) {
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.weightQuantizeType = weightQuantizeType
        self.activationQuantizeType = activationQuantizeType
        self.windowSize = windowSize
        self.movingRate = movingRate
    }

    /// Checks the options.
    /// - Throws: `GraphError` naming the option (Paddle's spelling) that is out of range.
    public func validate() throws {
        try QuantizableOp.validate(bits: weightBits, name: "weight_bits")
        try QuantizableOp.validate(bits: activationBits, name: "activation_bits")
        guard windowSize >= 1 else { throw GraphError("window_size must be >= 1, got \(windowSize)") }
        guard movingRate.isFinite, (0...1).contains(movingRate) else {
            throw GraphError("moving_rate must be in 0...1, got \(movingRate)")
        }
    }
}
