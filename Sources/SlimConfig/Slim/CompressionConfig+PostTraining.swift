/// `PostTrainingQuantizationStrategy`'s parameters (Paddle's `PostTrainingQuantization` options
/// `algo`, `batch_nums`, `hist_percent`, with QuantizationStrategy's save paths and nodes).
public struct PostTrainingQuantizationStrategyConfig: Sendable, Equatable, Codable {
    /// The `algo` spellings (SlimQuant's `CalibrationAlgorithm` raw values).
    public static let algorithms = ["abs_max", "avg", "hist", "KL", "mse", "mix"]
    /// The `activation_mode` spellings (SlimQuant's `ActivationMode` raw values).
    public static let activationModes = ["symmetric", "asymmetric"]

    public var algo = "KL"
    public var batchNums = 10
    public var histPercent = 0.9999
    public var activationMode = "symmetric"
    public var weightBits = 8
    public var activationBits = 8
    public var weightQuantizeType = WeightQuantizeType.channelWiseAbsMax
    public var floatModelSavePath: String?
    public var int8ModelSavePath: String?
    public var evalModelSavePath: String?
    public var saveInNodes: [String] = []
    public var saveOutNodes: [String] = []

    public init() {}
}

extension SchemaValidator {
    /// A `PostTrainingQuantizationStrategy` entry (types already checked against its schema).
    mutating func postTrainingQuantization(_ node: Node) -> PostTrainingQuantizationStrategyConfig {
        var c = PostTrainingQuantizationStrategyConfig()
        func int(_ key: String) -> Int? { if case .int(let i) = node[key]?.scalarValue { return i } else { return nil } }
        func list(_ key: String) -> [String]? { node[key]?.items?.compactMap(\.text) }
        c.algo = node["algo"]?.text ?? c.algo
        c.batchNums = int("batch_nums") ?? c.batchNums
        c.activationMode = node["activation_mode"]?.text ?? c.activationMode
        switch node["hist_percent"]?.scalarValue {
        case .float(let f)?: c.histPercent = f
        case .int(let i)?: c.histPercent = Double(i)
        default: break
        }
        c.weightBits = int("weight_bits") ?? 8
        c.activationBits = int("activation_bits") ?? 8
        c.weightQuantizeType = node["weight_quantize_type"]?.text.flatMap(WeightQuantizeType.init) ?? c.weightQuantizeType
        c.floatModelSavePath = node["float_model_save_path"]?.text
        c.int8ModelSavePath = node["int8_model_save_path"]?.text
        c.evalModelSavePath = node["eval_model_save_path"]?.text
        c.saveInNodes = list("save_in_nodes") ?? []
        c.saveOutNodes = list("save_out_nodes") ?? []
        for key in ["weight_bits", "activation_bits"] where !(1...16).contains(int(key) ?? 8) {
            report("\(key) must be in 1...16, found \(int(key)!)", at: node[key]!.mark)
        }
        if c.activationMode == "asymmetric", let mode = node["activation_mode"] {
            if !["abs_max", "avg"].contains(c.algo) {
                report("asymmetric activations are calibrated with algo abs_max or avg, found algo \(c.algo)", at: mode.mark)
            }
            if c.activationBits != 8 { report("asymmetric activations are uint8: activation_bits must be 8, found \(c.activationBits)", at: mode.mark) }
        }
        if c.batchNums <= 0 { report("batch_nums must be > 0, found \(c.batchNums)", at: node["batch_nums"]!.mark) }
        if !(c.histPercent > 0 && c.histPercent <= 1) {
            report("hist_percent must be in (0, 1], found \(c.histPercent)", at: node["hist_percent"]!.mark)
        }
        return c
    }
}
