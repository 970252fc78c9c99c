import Foundation

/// The resolved value of a scalar (YAML 1.1 core schema, as PyYAML resolves the same files).
public enum ScalarValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        }
    }

    /// Resolves plain scalar text; quoted scalars are always strings.
    public static func resolve(_ text: String, quoted: Bool) -> ScalarValue {
        if quoted { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "on", "On": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "off", "Off": return .bool(false)
        case ".inf", ".Inf", "+.inf": return .float(.infinity)
        case "-.inf", "-.Inf": return .float(-.infinity)
        case ".nan", ".NaN": return .float(.nan)
        default: break
        }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        if let i = Int(cleaned), cleaned.first.map({ $0.isNumber || $0 == "-" || $0 == "+" }) == true { return .int(i) }
        if cleaned.hasPrefix("0x"), let i = Int(cleaned.dropFirst(2), radix: 16) { return .int(i) }
        if looksNumeric(cleaned), let d = Double(cleaned) { return .float(d) }
        return .string(text)
    }

    private static func looksNumeric(_ s: String) -> Bool {
        guard let first = s.first, first.isNumber || "+-.".contains(first) else { return false }
        return s.contains { $0.isNumber } && s.allSatisfy { $0.isNumber || "+-.eE".contains($0) }
    }
}

extension Node {
    /// The resolved scalar value; collections resolve to `.null`.
    public var scalarValue: ScalarValue {
        guard case .scalar(let text, let quoted) = kind else { return .null }
        return ScalarValue.resolve(text, quoted: quoted)
    }
}
