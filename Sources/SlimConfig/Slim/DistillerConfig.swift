/// One entry of a slim YAML's `distillers:` section (PaddleSlim 1.x): a loss between a teacher
/// and a student feature map that `DistillationStrategy` adds to the student's loss.
public struct DistillerConfig: Sendable, Equatable, Codable {
    /// The distiller classes, by their `class:` spelling.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case l2 = "L2Distiller"
        case fsp = "FSPDistiller"
        case softLabel = "SoftLabelDistiller"
    }

    public var name: String
    public var kind: Kind
    /// L2Distiller and SoftLabelDistiller: the feature maps compared.
    public var teacherFeatureMap = ""
    public var studentFeatureMap = ""
    /// FSPDistiller: pairs of feature maps of the same spatial size, teacher's and student's
    /// in the same order.
    public var teacherPairs: [[String]] = []
    public var studentPairs: [[String]] = []
    /// SoftLabelDistiller: temperatures the logits are divided by before the softmax.
    public var teacherTemperature = 1.0
    public var studentTemperature = 1.0
    /// The factor of the distiller's loss in the total loss.
    public var distillationLossWeight = 1.0

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// Every teacher var the distiller reads, in order.
    public var teacherVars: [String] {
        kind == .fsp ? teacherPairs.flatMap { $0 } : [teacherFeatureMap]
    }

    /// Every student var the distiller reads, in order.
    public var studentVars: [String] {
        kind == .fsp ? studentPairs.flatMap { $0 } : [studentFeatureMap]
    }
}

/// `DistillationStrategy`'s parameters: the distillers (resolved from `distillers:`), the epochs
/// `start_epoch ..< end_epoch` during which their losses are added (Paddle 1.6 restores the
/// student-only graph at the end of epoch `end_epoch - 1`), and the teacher (a model directory, or
/// a model YAML with weights).
public struct DistillationStrategyConfig: Sendable, Equatable, Codable {
    public var distillers: [DistillerConfig] = []
    public var startEpoch = 0
    public var endEpoch = 0
    /// The teacher: a model directory as `slim eval --model_path` reads it (`__model__` +
    /// `__params__`, or `model` + `weights`); empty when `teacherModelConfig` gives it. A slim
    /// extension: PaddleSlim 1.x passes the teacher program in Python
    /// (`Compressor(teacher_programs=...)`).
    public var teacherModelDir = ""
    /// The teacher as a model YAML (as `slim train -c` takes it) whose architecture is built and
    /// given `teacherWeights`, instead of `teacherModelDir` (slim's extension).
    public var teacherModelConfig: String?
    /// With `teacherModelConfig`: the model directory of its trained weights (as
    /// `pretrain_weights` takes them, e.g. `output/<name>/best` or a checkpoint's `eval_model`).
    public var teacherWeights: String?

    public init() {}
}
