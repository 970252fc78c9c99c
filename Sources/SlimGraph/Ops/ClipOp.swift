import SlimTensor

/// `clip`: `Out = min(max(X, min), max)` (attrs `min`, `max`, `min <= max`); backward
/// `dX = dOut * (min < X < max)` (oneDNN eltwise clip_v2).
public enum ClipOp: EltwiseOperator {
    public static let type = "clip"

    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind {
        let lo = Float(op.float("min", default: -Double(Float.greatestFiniteMagnitude)))
        let hi = Float(op.float("max", default: Double(Float.greatestFiniteMagnitude)))
        guard !lo.isNaN, !hi.isNaN, lo <= hi else { throw GraphError("op 'clip': min \(lo) must not exceed max \(hi)") }
        return .clip(lo: lo, hi: hi)
    }
}
