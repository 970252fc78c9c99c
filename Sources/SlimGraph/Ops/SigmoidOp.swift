import SlimTensor

/// `sigmoid`: `Out = 1 / (1 + exp(-X))`; backward `dX = dOut * Out * (1 - Out)` (oneDNN
/// eltwise logistic).
public enum SigmoidOp: EltwiseOperator {
    public static let type = "sigmoid"

    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind { .sigmoid }
}
