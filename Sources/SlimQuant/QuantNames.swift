/// Names of the vars the quantization passes create, Paddle style, from the quantized var `v`.
enum QuantNames {
    static func quantized(_ v: String) -> String { v + ".quantized" }
    static func dequantized(_ v: String) -> String { v + ".quantized.dequantized" }
    static func scale(_ v: String) -> String { v + ".scale" }
    static func accum(_ v: String) -> String { v + ".quant_accum" }
    static func state(_ v: String) -> String { v + ".quant_state" }
    static func iter(_ v: String) -> String { v + ".iter" }
    static func windowScales(_ v: String) -> String { v + ".scales" }
    /// The per-channel weight scales the freeze pass stores for its post-op dequantizer.
    static func channelScale(_ w: String) -> String { w + ".channel_scale" }
    /// The output of the dequantizer the freeze pass puts after a quantized op's output `out`.
    static func outputDequantized(_ out: String) -> String { out + ".dequantized" }
    static func int8(_ w: String) -> String { w + ".int8" }
    static func float(_ w: String) -> String { w + ".float" }
}
