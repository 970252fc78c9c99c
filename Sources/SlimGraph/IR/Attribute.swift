/// An op attribute value, as in Paddle's OpDesc attrs.
///
/// Encoded in model files as a one-key object naming the kind, e.g. `{"ints": [1, 1]}`, so the JSON
/// stays readable and diffable.
public enum Attribute: Hashable, Sendable {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case ints([Int])
    case floats([Double])
    case strings([String])

    public var intValue: Int? { if case let .int(v) = self { return v }; return nil }
    public var floatValue: Double? {
        switch self {
        case let .float(v): return v
        case let .int(v): return Double(v)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case let .bool(v) = self { return v }; return nil }
    public var stringValue: String? { if case let .string(v) = self { return v }; return nil }
    public var intsValue: [Int]? { if case let .ints(v) = self { return v }; return nil }
    public var floatsValue: [Double]? {
        switch self {
        case let .floats(v): return v
        case let .ints(v): return v.map(Double.init)
        default: return nil
        }
    }
    public var stringsValue: [String]? { if case let .strings(v) = self { return v }; return nil }
}

extension Attribute: Codable {
    private enum Kind: String, CodingKey, CaseIterable { case int, float, bool, string, ints, floats, strings }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Kind.self)
        guard c.allKeys.count == 1, let kind = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "an attribute is an object with exactly one of \(Kind.allCases.map(\.rawValue))"))
        }
        switch kind {
        case .int: self = .int(try c.decode(Int.self, forKey: kind))
        case .float: self = .float(try c.decode(Double.self, forKey: kind))
        case .bool: self = .bool(try c.decode(Bool.self, forKey: kind))
        case .string: self = .string(try c.decode(String.self, forKey: kind))
        case .ints: self = .ints(try c.decode([Int].self, forKey: kind))
        case .floats: self = .floats(try c.decode([Double].self, forKey: kind))
        case .strings: self = .strings(try c.decode([String].self, forKey: kind))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case let .int(v): try c.encode(v, forKey: .int)
        case let .float(v): try c.encode(v, forKey: .float)
        case let .bool(v): try c.encode(v, forKey: .bool)
        case let .string(v): try c.encode(v, forKey: .string)
        case let .ints(v): try c.encode(v, forKey: .ints)
        case let .floats(v): try c.encode(v, forKey: .floats)
        case let .strings(v): try c.encode(v, forKey: .strings)
        }
    }
}

extension Attribute: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .int(v): return String(v)
        case let .float(v): return String(v)
        case let .bool(v): return String(v)
        case let .string(v): return "\"\(v)\""
        case let .ints(v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case let .floats(v): return "[" + v.map { String($0) }.joined(separator: ", ") + "]"
        case let .strings(v): return "[" + v.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}
