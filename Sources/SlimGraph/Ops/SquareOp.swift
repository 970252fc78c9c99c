import SlimTensor

/// `square`: `Out = X * X` elementwise (any shape); backward `dX = 2 * X * dOut`.
public enum SquareOp: PointwiseOperator {
    public static let type = "square"

    static func function(_ op: OpDesc) -> (Float) -> Float { { $0 * $0 } }

    static func gradient(_ op: OpDesc) -> (_ x: Float, _ dOut: Float) -> Float { { x, g in 2 * x * g } }
}
