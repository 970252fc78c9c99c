import SlimTensor

/// `hard_swish`: `Out = X * min(max(X + offset, 0), threshold) / scale` with Paddle's
/// defaults `threshold` 6, `scale` 6, `offset` 3, the only values taken (oneDNN eltwise
/// hardswish); backward `dX = dOut * (0 where X < -3, 1 where X > 3, (2X + 3) / 6 between)`.
public enum HardSwishOp: EltwiseOperator {
    public static let type = "hard_swish"

    static func eltwiseKind(_ op: OpDesc) throws -> EltwiseKind {
        let attrs = [op.float("threshold", default: 6), op.float("scale", default: 6), op.float("offset", default: 3)]
        guard attrs == [6, 6, 3] else {
            throw GraphError("op 'hard_swish': threshold, scale, offset \(attrs) are not supported", hints: ["only 6, 6, 3 (Paddle's defaults)"])
        }
        return .hardSwish
    }
}
