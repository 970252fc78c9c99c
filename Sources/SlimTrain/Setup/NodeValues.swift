import SlimConfig

/// Typed reads of a config mapping's options with defaults (the schema has validated types).
struct NodeValues {
    let node: Node?
    let path: String

    func double(_ key: String, _ fallback: Double) throws -> Double {
        guard let v = node?[key] else { return fallback }
        switch v.scalarValue {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .null: return fallback
        default: throw ConfigError("\(path).\(key) expects a number, found \(v.kindDescription)", at: v.mark)
        }
    }

    func optionalDouble(_ key: String) throws -> Double? {
        guard let v = node?[key], v.scalarValue != .null else { return nil }
        return try double(key, 0)
    }

    func int(_ key: String, _ fallback: Int) throws -> Int {
        guard let v = node?[key] else { return fallback }
        switch v.scalarValue {
        case .int(let i): return i
        case .null: return fallback
        default: throw ConfigError("\(path).\(key) expects an integer, found \(v.kindDescription)", at: v.mark)
        }
    }

    func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let v = node?[key] else { return fallback }
        switch v.scalarValue {
        case .bool(let b): return b
        case .null: return fallback
        default: throw ConfigError("\(path).\(key) expects true or false, found \(v.kindDescription)", at: v.mark)
        }
    }

    func string(_ key: String, _ fallback: String?) -> String? {
        guard let v = node?[key], v.scalarValue != .null else { return fallback }
        return v.text ?? fallback
    }

    func doubles(_ key: String) throws -> [Double]? {
        guard let v = node?[key], v.scalarValue != .null || v.isSequence else { return nil }
        guard let items = v.items else { throw ConfigError("\(path).\(key) expects a list", at: v.mark) }
        return try items.map { item in
            switch item.scalarValue {
            case .int(let i): return Double(i)
            case .float(let d): return d
            default: throw ConfigError("\(path).\(key) expects numbers, found \(item.kindDescription)", at: item.mark)
            }
        }
    }

    func ints(_ key: String) throws -> [Int]? {
        try doubles(key).map { $0.map { Int($0) } }
    }

    /// The error for an invalid value of `key`, positioned at it.
    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError("\(path).\(key): \(message)", at: (node?[key] ?? node)?.mark ?? SourceMark(file: path, line: 1, column: 1))
    }
}

extension Node {
    /// An object's kind: its tag without `!`, or its `type:` key.
    var objectType: String? {
        if let tag { return String(tag.drop { $0 == "!" }) }
        return self["type"]?.text
    }
}
