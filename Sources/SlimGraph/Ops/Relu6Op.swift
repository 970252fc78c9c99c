import SlimTensor

/// `relu6`: `Out = min(max(X, 0), threshold)` (`threshold` 6); backward
/// `dX = dOut * (0 < X < threshold)`.
public enum Relu6Op: EltwiseOperator {
    public static let type = "relu6"

    /// The kernel's clip for `threshold` (the dedicated relu6 kind for the default 6).
    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind {
        let t = Float(op.float("threshold", default: 6))
        guard t > 0, t.isFinite else { throw GraphError("op 'relu6': threshold \(t) must be positive") }
        return t == 6 ? .relu6 : .clip(lo: 0, hi: t)
    }
}
