import SlimTensor

/// `relu`: `Out = max(X, 0)` (any shape); backward `dX = dOut * (X > 0)`.
public enum ReluOp: EltwiseOperator {
    public static let type = "relu"

    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind { .relu }
}
