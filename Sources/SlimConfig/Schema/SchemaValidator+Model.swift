extension SchemaValidator {
    /// The reader sections of a model YAML: (section name, schema it is checked with).
    static func readerSections(of root: Node) -> [(String, String)] {
        [("train_feed", "TrainReader"), ("eval_feed", "EvalReader"), ("test_feed", "TestReader")].map { global, schema in
            let section = root[global]?.text ?? schema
            return (section, ModuleRegistry.readerSchemaName(section: section, fallback: schema))
        }
    }

    /// Checks a whole model YAML: globals, the architecture's module, LearningRate, OptimizerBuilder, readers.
    public mutating func checkModel(_ root: Node) {
        guard let entries = root.entries, let global = registry.module("Global") else { return }
        let readers = Dictionary(Self.readerSections(of: root), uniquingKeysWith: { a, _ in a })
        let topModules = (ModuleRegistry.architectures + ModuleRegistry.detectionModules).map(\.name) + ["LearningRate", "OptimizerBuilder"]
            + ModuleRegistry.feedClasses
        let valid = global.options.map(\.name) + topModules + readers.keys.sorted()
        for entry in entries {
            guard let key = entry.key.text else { continue }
            if let option = global.option(key) {
                check(entry.value, type: option.type, what: key)
            } else if let schemaName = readers[key] ?? ModuleRegistry.feedClasses.first(where: { $0 == key }),
                      let base = registry.module(schemaName) {
                check(entry.value, module: ModuleSchema(key, base.description, base.options))
            } else if topModules.contains(key), let schema = registry.module(key) {
                check(entry.value, module: schema)
            } else {
                let notes = Suggestion.note(for: key, in: valid).map { [$0] } ?? []
                report("unknown top-level key '\(key)'", at: entry.key.mark, notes: notes + ["`slim config list` lists the modules"])
            }
        }
        if root["architecture"] == nil {
            report("missing required global 'architecture'", at: root.mark, notes: ["one of: \(ModuleRegistry.architectures.map(\.name).joined(separator: ", "))"])
        } else if let arch = root["architecture"], let name = arch.text, !ModuleRegistry.architectures.contains(where: { $0.name == name }) {
            let names = ModuleRegistry.architectures.map(\.name)
            report("unknown architecture '\(name)'", at: arch.mark, notes: (Suggestion.note(for: name, in: names).map { [$0] } ?? []) + ["one of: \(names.joined(separator: ", "))"])
        }
    }
}
