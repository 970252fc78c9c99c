/// Cheap text for primitive cache keys, built on every kernel call: string interpolation of arrays
/// and enums goes through reflection and dynamic casts (a few microseconds each, ~4% of a LeNet step).
extension Array where Element == Int {
    var cacheKey: String {
        var text = "["
        for (i, value) in enumerated() {
            if i > 0 { text += "," }
            text += String(value)
        }
        return text + "]"
    }
}

extension EltwiseKind {
    var cacheKey: String {
        switch self {
        case .relu: return "relu"
        case let .leakyRelu(alpha): return "leaky_relu\(alpha.bitPattern)"
        case .relu6: return "relu6"
        case let .clip(lo, hi): return "clip\(lo.bitPattern),\(hi.bitPattern)"
        case let .linear(alpha, beta): return "linear\(alpha.bitPattern),\(beta.bitPattern)"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .exp: return "exp"
        case .abs: return "abs"
        case .hardSwish: return "hard_swish"
        case .round: return "round"
        }
    }
}
