/// A parsed slim YAML: named strategies and the compressor that runs them.
public struct CompressionConfig: Sendable {
    public var version: String
    /// The strategies the compressor names, in the compressor's order.
    public var strategies: [StrategyConfig]
    public var compressor: CompressorConfig
    public var path: String
}

/// One strategy instance.
public enum StrategyConfig: Sendable, Equatable {
    case quantization(name: String, QuantizationStrategyConfig)
    case postTrainingQuantization(name: String, PostTrainingQuantizationStrategyConfig)
    case prune(name: String, PruneStrategyConfig)
    case distillation(name: String, DistillationStrategyConfig)

    public var name: String {
        switch self {
        case .quantization(let name, _), .postTrainingQuantization(let name, _), .prune(let name, _), .distillation(let name, _): return name
        }
    }

    /// The last epoch the strategy acts in (the compressor runs at least up to it).
    public var lastEpoch: Int {
        switch self {
        case .quantization(_, let q): return q.endEpoch
        case .postTrainingQuantization: return 0
        case .prune(_, let p): return p.startEpoch
        case .distillation(_, let d): return d.endEpoch - 1
        }
    }
}

/// `QuantizationStrategy`'s parameters, exactly those of PaddleSlim 1.x.
public struct QuantizationStrategyConfig: Sendable, Equatable, Codable {
    public var startEpoch = 0
    public var endEpoch = 0
    public var floatModelSavePath: String?
    public var int8ModelSavePath: String?
    public var mobileModelSavePath: String?
    public var weightBits = 8
    public var activationBits = 8
    public var weightQuantizeType = WeightQuantizeType.absMax
    public var activationQuantizeType = ActivationQuantizeType.absMax
    public var saveInNodes: [String] = []
    public var saveOutNodes: [String] = []

    public init() {}
}

/// The `compressor:` section.
public struct CompressorConfig: Sendable, Equatable {
    /// Number of epochs; epochs 0 ..< epoch run.
    public var epoch: Int
    public var checkpointPath = "./checkpoints/"
    public var strategyNames: [String] = []
    public var initModel: String?
    public var evalEpoch = 1
}
