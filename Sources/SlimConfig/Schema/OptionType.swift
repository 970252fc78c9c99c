/// The type of a configuration option.
public indirect enum OptionType: Sendable, CustomStringConvertible {
    case int
    case float
    case bool
    case string
    /// A string from a closed set.
    case choice([String])
    case list(OptionType)
    /// A mapping checked against a module's options.
    case module(String)
    /// An object chosen by tag (`!PiecewiseDecay {...}`) or by a `type:` key (`{type: Momentum, ...}`);
    /// `aliases` maps `type:` spellings to module names (`L2` -> `L2Decay`).
    case object([String], aliases: [String: String])
    case any

    public var description: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .choice(let names): return names.joined(separator: "|")
        case .list(let t): return "[\(t)]"
        case .module(let name): return name
        case .object(let names, _): return names.map { "!" + $0 }.joined(separator: "|")
        case .any: return "any"
        }
    }
}

/// One option of a module: name, type, default (as YAML text, nil = required or absent) and a doc line.
public struct OptionSchema: Sendable {
    public let name: String
    public let type: OptionType
    public let defaultValue: String?
    public let required: Bool
    /// Known to PaddleDetection and accepted, but without effect in slim (listed in one note
    /// when a model YAML sets it).
    public let unused: Bool
    public let doc: String

    public init(_ name: String, _ type: OptionType, _ defaultValue: String?, required: Bool = false, unused: Bool = false,
                _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.unused = unused
        self.doc = doc
    }
}

/// A configurable module: its description and options.
public struct ModuleSchema: Sendable {
    public let name: String
    public let description: String
    public let options: [OptionSchema]
    /// For an object written as a tag (or `type:`) inside another option: that option's dotted
    /// path (`LearningRate.schedulers`); nil for a top-level section.
    public let usedIn: String?
    /// For a mapping option of another module (`.module(name)`, not a top-level section): its
    /// dotted path (`YOLOv3Head.nms`).
    public let nestedIn: String?

    public init(_ name: String, _ description: String, _ options: [OptionSchema], usedIn: String? = nil, nestedIn: String? = nil) {
        self.name = name
        self.description = description
        self.options = options
        self.usedIn = usedIn
        self.nestedIn = nestedIn
    }

    public func option(_ name: String) -> OptionSchema? { options.first { $0.name == name } }
}
