import SlimConfig
import SlimGraph

/// Builds the zoo model a model YAML's `architecture:` names, with its module's options,
/// `num_classes`, the train reader's `image_shape` and `seed`.
public enum ModelFactory {
    /// The largest `num_classes` (more than any classification data set slim reads; keeps every
    /// head's weight count far from overflow).
    public static let maxClasses = 100_000

    public static func make(_ config: ModelConfig, imageShape: [Int]) throws -> BuiltModel {
        let architecture = try config.string("architecture") ?? ""
        if architecture == "YOLOv3" {
            return try yolov3(config, imageShape: imageShape, classes: try classCount(config),
                              seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1))
        }
        if architecture == "Imported" { return try imported(config, imageShape: imageShape) }
        let options = try Self.options(NodeValues(node: config.node(architecture), path: architecture))
        let classes = try classCount(config)
        do {
            let model = try ModelZoo.model(architecture, options: options, numClasses: classes)
            return model.build(inputShape: imageShape, seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1))
        } catch let error as GraphError {
            throw ConfigError(error.message, at: config.node("architecture")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: error.hints)
        }
    }

    /// `num_classes` (default 10), in `1...maxClasses`.
    static func classCount(_ config: ModelConfig) throws -> Int {
        let classes = try config.int("num_classes") ?? 10
        guard (1...maxClasses).contains(classes) else {
            throw ConfigError("num_classes must be in 1...\(maxClasses), got \(classes)",
                              at: config.node("num_classes")?.mark ?? SourceMark(file: config.path, line: 1, column: 1))
        }
        return classes
    }

    /// The architecture module's options: `dropout` in [0, 1), `scale` in (0, 16].
    static func options(_ v: NodeValues) throws -> ModelZoo.Options {
        var options = ModelZoo.Options()
        options.dropout = try v.double("dropout", 0)
        options.scale = try v.double("scale", 1)
        options.depth = try v.int("depth", 20)
        options.variant = v.string("variant", "cifar") ?? "cifar"
        guard options.dropout >= 0 && options.dropout < 1 else { throw v.error("dropout", "must be in [0, 1), got \(options.dropout)") }
        guard options.scale > 0 && options.scale <= 16 else { throw v.error("scale", "must be in (0, 16], got \(options.scale)") }
        return options
    }

    /// `architecture: Imported`: the classifier in `Imported.model_dir` (`ImportedClassifier`),
    /// whose picture feed must take the reader's `image_shape`.
    static func imported(_ config: ModelConfig, imageShape: [Int]) throws -> BuiltModel {
        let v = NodeValues(node: config.node("Imported"), path: config.path)
        guard let dir = v.string("model_dir", nil), !dir.isEmpty else {
            throw ConfigError("architecture Imported needs Imported.model_dir (the directory slim import wrote)",
                              at: config.node("architecture")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: ["Imported: {model_dir: imported}"])
        }
        let mark = config.node("Imported")?.mark ?? SourceMark(file: config.path, line: 1, column: 1)
        let loaded = try ModelFile.load(from: dir, modelName: v.string("model_name", nil), paramsName: v.string("params_name", nil))
        do {
            let model = try ImportedClassifier.build(program: loaded.program, params: loaded.params)
            let classes = model.program.variable(model.interface.output)?.shape.last ?? 0
            if config.node("num_classes") != nil, let n = try config.int("num_classes"), n != classes {
                throw ConfigError("num_classes is \(n), but the model in \(dir) has \(classes) classes",
                                  at: config.node("num_classes")?.mark ?? mark, notes: ["leave num_classes out, or set it to \(classes)"])
            }
            let feedShape = Array(model.interface.feeds[0].shape.dropFirst())
            guard feedShape == imageShape else {
                throw ConfigError("the model in \(dir) takes pictures \(feedShape), but the reader's image_shape is \(imageShape)",
                                  at: mark, notes: ["set TrainReader/EvalReader image_shape to \(feedShape)"])
            }
            return model
        } catch let error as GraphError {
            throw ConfigError("\(dir): \(error.message)", at: mark, notes: error.hints)
        }
    }
}
