import SlimTensor

/// `scale` (Paddle 1.6): `Out = scale * X + bias` when `bias_after_scale` (the default), else
/// `Out = scale * (X + bias)`; any shape. Backward `dX = scale * dOut`.
public enum ScaleOp: PointwiseOperator {
    public static let type = "scale"

    static func function(_ op: OpDesc) -> (Float) -> Float {
        let scale = Float(op.float("scale", default: 1)), bias = Float(op.float("bias", default: 0))
        return op.bool("bias_after_scale", default: true) ? { scale * $0 + bias } : { scale * ($0 + bias) }
    }

    static func gradient(_ op: OpDesc) -> (_ x: Float, _ dOut: Float) -> Float {
        let scale = Float(op.float("scale", default: 1))
        return { _, g in scale * g }
    }
}
