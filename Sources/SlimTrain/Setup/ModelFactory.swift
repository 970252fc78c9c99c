import SlimConfig
import SlimGraph

/// Builds the zoo model a model YAML's `architecture:` names, with its module's options,
/// `num_classes`, the train reader's `image_shape` and `seed`.
public enum ModelFactory {
    public static func make(_ config: ModelConfig, imageShape: [Int]) throws -> BuiltModel {
        let architecture = try config.string("architecture") ?? ""
        let v = NodeValues(node: config.node(architecture), path: architecture)
        var options = ModelZoo.Options()
        options.dropout = try v.double("dropout", 0)
        options.scale = try v.double("scale", 1)
        options.depth = try v.int("depth", 20)
        options.variant = v.string("variant", "cifar") ?? "cifar"
        let classes = try config.int("num_classes") ?? 10
        do {
            let model = try ModelZoo.model(architecture, options: options, numClasses: classes)
            return model.build(inputShape: imageShape, seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1))
        } catch let error as GraphError {
            throw ConfigError(error.message, at: config.node("architecture")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: error.hints)
        }
    }
}
