import SlimConfig
import SlimQuant

/// The one place where a slim YAML's quantization options (SlimConfig's parse, which cannot see
/// SlimQuant) become a `QuantizationScheme`. The switches are exhaustive, so every spelling the
/// YAML schema accepts has its SlimQuant kind.
extension QuantizationScheme {
    /// The scheme of a `QuantizationStrategy` entry (Paddle's window and moving rate: the YAML has neither).
    init(_ config: QuantizationStrategyConfig) {
        self.init(weightBits: config.weightBits, activationBits: config.activationBits,
                  weightQuantizeType: Self.kind(config.weightQuantizeType),
                  activationQuantizeType: Self.kind(config.activationQuantizeType))
    }

    /// The scheme of a `PostTrainingQuantizationStrategy` entry (`moving_average_abs_max` activations).
    init(_ config: PostTrainingQuantizationStrategyConfig) {
        self.init(weightBits: config.weightBits, activationBits: config.activationBits,
                  weightQuantizeType: Self.kind(config.weightQuantizeType), activationQuantizeType: .movingAverageAbsMax)
    }

    private static func kind(_ type: SlimConfig.WeightQuantizeType) -> SlimQuant.WeightQuantizeType {
        switch type {
        case .absMax: return .absMax
        case .channelWiseAbsMax: return .channelWiseAbsMax
        }
    }

    private static func kind(_ type: SlimConfig.ActivationQuantizeType) -> SlimQuant.ActivationQuantizeType {
        switch type {
        case .absMax: return .absMax
        case .rangeAbsMax: return .rangeAbsMax
        case .movingAverageAbsMax: return .movingAverageAbsMax
        }
    }
}
