import SlimTensor

/// `mul` (Paddle's fully connected product): `X` flattened to `[M, K]` at `x_num_col_dims`
/// (`M = prod(X.dims[..<x])`, `K = prod(X.dims[x...])`), `Y` to `[K, N]` at `y_num_col_dims`;
/// `Out = X2 · Y2` with shape `X.dims[..<x] + Y.dims[y...]`.
///
/// Backward: `dX2 = dOut2 · Y2ᵀ`, `dY2 = X2ᵀ · dOut2` (matmul with strided transposes).
///
/// Eval runs (`OpFusion+Inference`) may give it a fully connected layer's bias add and activation:
/// input `Bias` [N] (added to every row) and attr `fuse_activation` (`relu`, `leaky_relu` with
/// `fuse_alpha`, `relu6`, `hard_swish`), computed inside the one oneDNN matmul
/// (`Kernels.matmulInference`). An eval run keeps its checked shapes and matmul primitive (the op's
/// memo), so a batch-1 step runs it without shape inference or cache lookups.
public enum MulOp: Operator {
    public static let type = "mul"
    public static let runsOnPrimitives = true

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
        guard context.isTraining else { return try inferenceForward(context) }
        guard !context.hasInput("Bias"), context.op.attrs["fuse_activation"] == nil else {
            throw GraphError("op 'mul': Bias and fuse_activation (an eval run's fused fully connected layer) are for eval runs only")
        }
        let x = try context.floatInput("X"), y = try context.floatInput("Y")
        let out = try inferShapes(context.op, inputs: ["X": [x.shape], "Y": [y.shape]])["Out"]![0]
        let (x2, y2) = try flattened(context.op, x, y)
        context.setOutput("Out", 0, Kernels.matmul(x2, y2).reshaped(out))
    }

    /// Eval: the product (+ `Bias`, then `fuse_activation`) as one matmul, shapes checked only when
    /// they change.
    private static func inferenceForward(_ context: OpContext) throws {
        let memo = try context.memo { try MulMemo(context) }
        let x = try context.floatInput(at: memo.x, slot: "X"), y = try context.floatInput(at: memo.y, slot: "Y")
        let shapes = try memo.shapes(x: x.shape, y: y.shape) {
            let out = try inferShapes(context.op, inputs: ["X": [x.shape], "Y": [y.shape]])["Out"]![0]
            let (x2, y2) = try flattened(context.op, x, y)
            return MulMemo.Shapes(x: x.shape, y: y.shape, x2: x2.shape, y2: y2.shape, out: out)
        }
        var bias: Tensor?
        if memo.hasBias {
            let b = try context.floatInput(at: memo.bias, slot: "Bias")
            guard b.shape == [shapes.y2[1]] else {
                throw GraphError("op 'mul': Bias has shape \(b.shape), expected [\(shapes.y2[1])]")
            }
            bias = b
        }
        let product = Kernels.matmulInference(x.reshaped(shapes.x2), y.reshaped(shapes.y2), bias: bias, activation: memo.activation,
                                              call: memo.call)
        context.setOutput("Out", 0, product.reshaped(shapes.out))
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

/// What an eval-mode `mul` keeps across runs (the op's memo): its inputs' positions, its fused
/// activation, the shapes that last passed shape inference and its matmul call.
final class MulMemo {
    struct Shapes {
        let x, y, x2, y2, out: [Int]
    }

    let x, y, bias: InputPosition?
    let hasBias: Bool
    let activation: EltwiseKind?
    let call = MatmulInferenceCall.Holder()
    private var checked: Shapes?

    init(_ context: OpContext) throws {
        x = context.inputPosition("X")
        y = context.inputPosition("Y")
        bias = context.inputPosition("Bias")
        hasBias = context.hasInput("Bias")
        activation = try context.op.fusedActivation()
    }

    /// The shapes for inputs `x` and `y`: `check`'s the first time and whenever they change.
    func shapes(x: [Int], y: [Int], check: () throws -> Shapes) rethrows -> Shapes {
        if let c = checked, c.x == x, c.y == y { return c }
        checked = nil
        let made = try check()
        checked = made
        return made
    }
}
