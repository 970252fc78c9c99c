/// How weights are quantized (`weight_quantize_type` in a slim YAML).
public enum WeightQuantizeType: String, CaseIterable, Codable, Sendable {
    /// One scale per tensor, `max |w|`, recomputed every run.
    case absMax = "abs_max"
    /// One scale per output channel (axis 0) for conv filters; `mul` weights stay per tensor (Paddle 1.6).
    case channelWiseAbsMax = "channel_wise_abs_max"
}
