import SlimTensor

/// `mul` (Paddle's fully connected product): `X` flattened to `[M, K]` at `x_num_col_dims`
/// (`M = prod(X.dims[..<x])`, `K = prod(X.dims[x...])`), `Y` to `[K, N]` at `y_num_col_dims`;
/// `Out = X2 · Y2` with shape `X.dims[..<x] + Y.dims[y...]`.
///
/// Backward: `dX2 = dOut2 · Y2ᵀ`, `dY2 = X2ᵀ · dOut2` (matmul with strided transposes).
public enum MulOp: Operator {
    public static let type = "mul"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), y = try ShapeInference.shape(inputs, "Y", of: op)
        let (xc, yc) = try columnDims(op, x: x, y: y)
        let k = ShapeInference.product(x[xc...]), k2 = ShapeInference.product(y[..<yc])
        guard ShapeInference.compatible(k, k2) else {
            throw GraphError("op 'mul': X \(x) flattened at \(xc) has \(k) columns but Y \(y) flattened at \(yc) has \(k2) rows")
        }
        return ["Out": [Array(x[..<xc]) + Array(y[yc...])]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        let out = try inferShapes(context.op, inputs: ["X": [x.shape], "Y": [y.shape]])["Out"]![0]
        let (x2, y2) = try flattened(context.op, x, y)
        context.setOutput("Out", 0, Kernels.matmul(x2, y2).reshaped(out))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.input("X"), y = try context.input("Y")
        let (x2, y2) = try flattened(context.op, x, y)
        let d2 = dOut.reshaped([x2.shape[0], y2.shape[1]])
        if context.needsGrad("X") { context.addInputGrad("X", 0, Kernels.matmul(d2, y2, transposeB: true).reshaped(x.shape)) }
        if context.needsGrad("Y") { context.addInputGrad("Y", 0, Kernels.matmul(x2, d2, transposeA: true).reshaped(y.shape)) }
    }

    /// The validated `x_num_col_dims` and `y_num_col_dims`.
    private static func columnDims(_ op: OpDesc, x: [Int], y: [Int]) throws -> (Int, Int) {
        let xc = op.int("x_num_col_dims", default: 1), yc = op.int("y_num_col_dims", default: 1)
        guard xc >= 1, xc < x.count else { throw GraphError("op 'mul': x_num_col_dims \(xc) is out of range for X \(x)") }
        guard yc >= 1, yc < y.count else { throw GraphError("op 'mul': y_num_col_dims \(yc) is out of range for Y \(y)") }
        return (xc, yc)
    }

    /// X and Y as the 2-D matrices the product uses.
    private static func flattened(_ op: OpDesc, _ x: Tensor, _ y: Tensor) throws -> (Tensor, Tensor) {
        let (xc, yc) = try columnDims(op, x: x.shape, y: y.shape)
        let x2 = x.reshaped([x.shape[..<xc].reduce(1, *), x.shape[xc...].reduce(1, *)])
        let y2 = y.reshaped([y.shape[..<yc].reduce(1, *), y.shape[yc...].reduce(1, *)])
        return (x2, y2)
    }
}
