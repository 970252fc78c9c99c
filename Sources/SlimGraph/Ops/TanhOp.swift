import SlimTensor

/// `tanh`: `Out = tanh(X)`; backward `dX = dOut * (1 - Out^2)` (oneDNN eltwise tanh).
public enum TanhOp: EltwiseOperator {
    public static let type = "tanh"

    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind { .tanh }
}
