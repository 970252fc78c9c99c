/// What a slim var holds in the exported graph.
///
/// A frozen program computes in two domains: ordinary floats, and the integers between an
/// activation quantizer and the dequantizer after the quantized op that reads them. ONNX's QDQ
/// form has floats everywhere (QuantizeLinear -> DequantizeLinear gives back `q * scale`), so
/// the integer-domain vars are tracked here until the ops that read them are exported.
enum ExportedValue {
    /// A float tensor; the ONNX value name.
    case float(String)
    /// The integers `q = round(bin / s * clip(x, -s, s))` of an activation quantizer; no ONNX
    /// node yet: each quantized op that reads it emits QuantizeLinear -> DequantizeLinear.
    case quantizedActivation(ActivationQuantization)
    /// The output of a quantized op, `conv(q, W_int)` in slim; the ONNX value already holds the
    /// dequantized float, so the dequantizer that follows becomes a rename.
    case quantizedOpOutput(String, opType: String)
}

/// An activation quantizer of a frozen program, as QuantizeLinear's parameters.
struct ActivationQuantization {
    /// The slim var of the quantizer's `Out` (integers).
    var quantizedVar: String
    /// The ONNX value of the float input `x`.
    var source: String
    /// The slim var holding the scale `s` (the quantizer's `OutScale` / `InScale`).
    var scaleVars: Set<String>
    var bits: Int
    /// `s` for quantizers with a stored scale; nil for `abs_max`, whose scale is `max |x|` of each run.
    var storedScale: Float?
    var opType: String
    /// Whether `x` is provably >= 0 (`ExportContext.isNonNegative`).
    var nonNegative = false
    /// The uint8 zero point of an asymmetric quantizer (attr `zero_point`; stored scale, 8 bits).
    var zeroPoint: Int?

    /// `bin = 2^(b-1) - 1`.
    var bin: Float { Float((1 << (bits - 1)) - 1) }
}
