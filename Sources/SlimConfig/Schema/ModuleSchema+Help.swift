extension ModuleSchema {
    /// `slim config help` text: description, options table, YAML template and `-o` lines.
    public var helpText: String {
        var out = "\(name): \(description)\n"
        if options.isEmpty { return out + "\n(no options)\n" }
        let width = options.map(\.name.count).max() ?? 0
        let typeWidth = options.map { "\($0.type)".count }.max() ?? 0
        out += "\nOptions:\n"
        for o in options {
            let name = o.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let type = "\(o.type)".padding(toLength: typeWidth, withPad: " ", startingAt: 0)
            let def = o.required ? "required" : (o.defaultValue.map { "default \($0)" } ?? "optional")
            out += "  \(name)  \(type)  \(def)\n      \(o.doc)\n"
        }
        out += "\nYAML template:\n" + template + "\nOverrides:\n" + overrideLines.map { "  -o \($0)\n" }.joined()
        return out
    }

    /// The options with their defaults as one flow mapping.
    private var flowDefaults: String {
        "{" + options.filter { $0.defaultValue != nil }.map { "\($0.name): \($0.defaultValue!)" }.joined(separator: ", ") + "}"
    }

    private var template: String {
        if let path = usedIn {
            let parts = path.replacingOccurrences(of: "[]", with: "").split(separator: ".").map(String.init)
            let value = path.hasSuffix("[]") ? "\n  - !\(name) \(flowDefaults)" : " !\(name) \(flowDefaults)"
            return "\(parts[0]):\n  \(parts[1]):\(value.replacingOccurrences(of: "\n  -", with: "\n  -"))\n"
        }
        if let path = nestedIn {
            let parts = path.split(separator: ".").map(String.init)
            let heads = parts.enumerated().map { String(repeating: "  ", count: $0.offset) + $0.element + ":\n" }.joined()
            let pad = String(repeating: "  ", count: parts.count)
            return heads + options.map { "\(pad)\($0.name): \($0.defaultValue ?? "~")\n" }.joined()
        }
        let section = name == "Global" ? "" : name + ":\n"
        let pad = section.isEmpty ? "" : "  "
        return section + options.map { "\(pad)\($0.name): \($0.defaultValue ?? "~")\n" }.joined()
    }

    private var overrideLines: [String] {
        if let path = usedIn {
            let key = path.replacingOccurrences(of: "[]", with: "")
            let value = "!\(name) \(flowDefaults)"
            return [path.hasSuffix("[]") ? "\(key)=\"[\(value)]\"" : "\(key)=\"\(value)\""]
        }
        let prefix = name == "Global" ? "" : (nestedIn ?? name) + "."
        return options.map { o in prefix + o.name + "=" + (o.defaultValue ?? "VALUE") }
    }
}
