import SlimTensor

/// `leaky_relu`: `Out = X` where `X > 0`, `alpha * X` elsewhere (any shape; `alpha` defaults to
/// 0.02 as in Paddle 1.6); backward `dX = dOut` where `X > 0`, `alpha * dOut` elsewhere (at
/// exactly 0 Paddle takes slope 1, oneDNN `alpha`). Runs as oneDNN's eltwise relu with a
/// negative slope.
public enum LeakyReluOp: EltwiseOperator {
    public static let type = "leaky_relu"

    /// The kernel's activation for attr `alpha`, which must be finite.
    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind {
        let alpha = Float(op.float("alpha", default: 0.02))
        guard alpha.isFinite else { throw GraphError("op 'leaky_relu': alpha \(alpha) must be finite") }
        return .leakyRelu(alpha: alpha)
    }
}
