/// How activations are quantized (`activation_quantize_type` in a slim YAML).
public enum ActivationQuantizeType: String, CaseIterable, Codable, Sendable {
    /// `max |x|` of each batch, in training and in eval (no stored scale).
    case absMax = "abs_max"
    /// The largest batch maximum of the last `window_size` training batches; eval uses the stored scale.
    case rangeAbsMax = "range_abs_max"
    /// A moving average of batch maxima (`moving_rate`); eval uses the stored scale.
    case movingAverageAbsMax = "moving_average_abs_max"
}
