/// A model YAML (PaddleDetection style) with the `-o` overrides merged in.
///
/// Top-level keys are modules (`LearningRate`, `OptimizerBuilder`, readers, the architecture's
/// module) and globals (`architecture`, `max_iters`, `num_classes`, ...).
public struct ModelConfig: Sendable {
    public var root: Node
    public let path: String
    /// Dotted paths set by `-o`.
    public let overriddenPaths: Set<String>

    /// Loads `path` and merges `overrides` (raw `KEY=VALUE` strings) in order.
    public static func load(path: String, overrides: [String] = []) throws -> ModelConfig {
        let reader = try YAMLReader(path: path)
        var root = try reader.parse()
        var sources = [reader.source]
        guard root.isMapping else {
            throw ConfigError("a model YAML must be a mapping of modules and globals, found \(root.kindDescription)", at: root.mark)
        }
        var marked = Set<String>()
        var problems: [Diagnostic] = []
        for (i, text) in overrides.enumerated() {
            do {
                sources.append(SourceText(name: "-o #\(i + 1)", text: text))
                let o = try Override(text, index: i)
                try root.merge(o.value, at: o.path[...], keyMarks: o.keyMarks[...])
                marked.formUnion(Self.leafPaths(of: o.value, prefix: o.key))
            } catch let error as ConfigError {
                problems += error.diagnostics
            }
        }
        if !problems.isEmpty { throw ConfigError(problems) }
        var validator = SchemaValidator(sources: sources)
        validator.checkModel(root)
        if !validator.diagnostics.isEmpty { throw ConfigError(validator.diagnostics) }
        return ModelConfig(root: root, path: path, overriddenPaths: marked)
    }

    /// The node at a dotted path, if present.
    public func node(_ dotted: String) -> Node? {
        var node: Node? = root
        for part in dotted.split(separator: ".") { node = node?[String(part)] }
        return node
    }

    /// The merged configuration as YAML, overridden values marked.
    public func yaml(markOverrides: Bool = true) -> String {
        YAMLWriter(marked: markOverrides ? overriddenPaths : []).write(root)
    }

    private static func leafPaths(of node: Node, prefix: String) -> Set<String> {
        guard let entries = node.entries, node.tag == nil, !entries.isEmpty else { return [prefix] }
        return entries.reduce(into: Set<String>()) { set, e in
            set.formUnion(leafPaths(of: e.value, prefix: prefix + "." + (e.key.text ?? "")))
        }
    }
}
