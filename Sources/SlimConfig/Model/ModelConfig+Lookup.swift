extension ModelConfig {
    /// The reader sections a model YAML uses.
    public enum Reader: String, Sendable {
        case train = "train_feed", eval = "eval_feed", test = "test_feed"

        var defaultSection: String {
            switch self { case .train: return "TrainReader"; case .eval: return "EvalReader"; case .test: return "TestReader" }
        }
    }

    /// The section name of a reader (through `train_feed` & co., PaddleDetection 0.1 style).
    public func readerSection(_ reader: Reader) -> String {
        root[reader.rawValue]?.text ?? reader.defaultSection
    }

    /// The value at a dotted path, or the registry's default for it; throws for a missing required value.
    ///
    /// `Global` options are top-level (`max_iters`); module options are `Module.option`
    /// (`LearningRate.base_lr`), where a reader section uses its reader's schema.
    public func value(_ dotted: String) throws -> Node? {
        if let node = node(dotted), !(node.text != nil && node.scalarValue == .null) { return node }  // present, not `~`
        let parts = dotted.split(separator: ".").map(String.init)
        guard let schema = schema(for: parts), let option = schema.option(parts.last!) else { return nil }
        if let text = option.defaultValue {
            return try YAMLReader(name: "default of \(dotted)", text: text).parse()
        }
        if option.required {
            throw ConfigError("missing required option '\(dotted)'", at: SourceMark(file: path, line: 1, column: 1),
                              notes: ["\(option.doc)", "set it in the file or with -o \(dotted)=VALUE"])
        }
        return nil
    }

    private func schema(for parts: [String]) -> ModuleSchema? {
        let registry = ModuleRegistry.shared
        if parts.count == 1 { return registry.module("Global") }
        let readers: [String: String] = [.train, .eval, .test].reduce(into: [:]) {
            $0[readerSection($1)] = ModuleRegistry.readerSchemaName(section: readerSection($1), fallback: $1.defaultSection)
        }
        var schema = registry.module(readers[parts[0]] ?? parts[0])
        for part in parts.dropFirst().dropLast() {
            guard case .module(let name)? = schema?.option(part)?.type else { return nil }
            schema = registry.module(name)
        }
        return schema
    }

    /// An integer option (default from the registry).
    public func int(_ dotted: String) throws -> Int? {
        guard let node = try value(dotted) else { return nil }
        if case .int(let i) = node.scalarValue { return i }
        throw ConfigError("\(dotted) expects an integer, found \(node.kindDescription)", at: node.mark)
    }

    /// A number option (integers accepted).
    public func double(_ dotted: String) throws -> Double? {
        guard let node = try value(dotted) else { return nil }
        switch node.scalarValue {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: throw ConfigError("\(dotted) expects a number, found \(node.kindDescription)", at: node.mark)
        }
    }

    /// A string option.
    public func string(_ dotted: String) throws -> String? {
        guard let node = try value(dotted) else { return nil }
        if node.scalarValue == .null { return nil }
        guard let text = node.text else { throw ConfigError("\(dotted) expects a string, found \(node.kindDescription)", at: node.mark) }
        return text
    }

    /// A boolean option.
    public func bool(_ dotted: String) throws -> Bool? {
        guard let node = try value(dotted) else { return nil }
        if case .bool(let b) = node.scalarValue { return b }
        throw ConfigError("\(dotted) expects true or false, found \(node.kindDescription)", at: node.mark)
    }
}
