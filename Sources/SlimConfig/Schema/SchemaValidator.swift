/// Checks configuration nodes against module schemas and collects every problem.
public struct SchemaValidator {
    public let registry: ModuleRegistry
    /// Source texts by file name (the YAML file and each `-o #N`), to quote lines.
    public let sources: [String: SourceText]
    public private(set) var diagnostics: [Diagnostic] = []

    public init(registry: ModuleRegistry = .shared, sources: [SourceText] = []) {
        self.registry = registry
        self.sources = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    mutating func report(_ message: String, at mark: SourceMark, notes: [String] = []) {
        let line = sources[mark.file]?.line(mark.line)
        diagnostics.append(Diagnostic(mark: mark, message: message, notes: notes, sourceLine: line))
    }

    /// Checks a mapping against `module`'s options: unknown keys (with did-you-mean), types, required options.
    public mutating func check(_ node: Node, module: ModuleSchema, extraKeys: Set<String> = []) {
        guard let entries = node.entries else {
            if node.scalarValue != .null { report("\(module.name) must be a mapping, found \(node.kindDescription)", at: node.mark) }
            return
        }
        let names = module.options.map(\.name)
        for entry in entries {
            guard let key = entry.key.text else { continue }
            if extraKeys.contains(key) { continue }
            guard let option = module.option(key) else {
                let notes = Suggestion.note(for: key, in: names).map { [$0] } ?? ["valid keys: \(names.joined(separator: ", "))"]
                report("unknown key '\(key)' in \(module.name)", at: entry.key.mark, notes: notes)
                continue
            }
            check(entry.value, type: option.type, what: "\(module.name).\(key)")
        }
        for option in module.options where option.required && node[option.name] == nil {
            report("missing required option '\(option.name)' in \(module.name)", at: node.mark)
        }
    }

    /// Checks one value against an option type.
    public mutating func check(_ node: Node, type: OptionType, what: String) {
        let value = node.scalarValue
        func mismatch() { report("\(what) expects \(type), found \(node.kindDescription)", at: node.mark) }
        switch type {
        case .any: break
        case .int:
            guard case .scalar = node.kind else { return mismatch() }
            if case .int = value {} else if value != .null { mismatch() }
        case .float:
            switch (node.kind, value) {
            case (.scalar, .int), (.scalar, .float), (.scalar, .null): break
            default: mismatch()
            }
        case .bool:
            guard case .scalar = node.kind else { return mismatch() }
            if case .bool = value {} else if value != .null { mismatch() }
        case .string:
            guard case .scalar = node.kind else { return mismatch() }
        case .choice(let names):
            guard case .scalar(let text, _) = node.kind else { return mismatch() }
            if !names.contains(text) {
                let notes = Suggestion.note(for: text, in: names).map { [$0] } ?? []
                report("\(what) must be one of \(names.joined(separator: ", ")), found '\(text)'", at: node.mark, notes: notes)
            }
        case .list(let element):
            guard let items = node.items else { return value == .null ? () : mismatch() }
            for item in items { check(item, type: element, what: what) }
        case .module(let name):
            if let schema = registry.module(name) { check(node, module: schema) }
        case .object(let names, let aliases):
            checkObject(node, names: names, aliases: aliases, what: what)
        }
    }

    /// An object chosen by tag (`!Momentum {...}`) or by `type:` (`{type: Momentum, ...}`).
    private mutating func checkObject(_ node: Node, names: [String], aliases: [String: String], what: String) {
        if node.scalarValue == .null, !node.isMapping { return }
        let spelled: String?
        let typeKey: Set<String>
        if let tag = node.tag {
            spelled = String(tag.drop { $0 == "!" })
            typeKey = []
        } else if let type = node["type"]?.text {
            spelled = type
            typeKey = ["type"]
        } else {
            report("\(what) needs a tag (\(names.map { "!" + $0 }.joined(separator: ", "))) or a 'type:' key", at: node.mark)
            return
        }
        let resolved = spelled.map { aliases[$0] ?? $0 } ?? ""
        guard names.contains(resolved), let schema = registry.module(resolved) else {
            let valid = names + aliases.keys.sorted()
            let notes = (Suggestion.note(for: resolved, in: valid).map { [$0] } ?? []) + ["valid: \(valid.joined(separator: ", "))"]
            let mark = typeKey.isEmpty ? node.mark : (node["type"]?.mark ?? node.mark)
            report("unknown \(typeKey.isEmpty ? "tag '!" : "type '")\(resolved)' for \(what)", at: mark, notes: notes)
            return
        }
        check(node, module: schema, extraKeys: typeKey)
    }
}
