import SlimGraph
import SlimTensor

/// `int8_mul` (slim's INT8 engine, made by `Int8LoweringPass` from a frozen
/// quantize -> mul -> dequantize chain): `X` u8 or s8 flattened to [M, K] at `x_num_col_dims`,
/// `Y` s8 flattened to [K, N] at `y_num_col_dims`, optional `Bias` [N] f32 (accumulator units),
/// optional `ResidualData` (f32, the output's shape, added before the activation) -> `Out` (shape `X.dims[..<x] + Y.dims[y...]`) f32, u8 or s8, with the `Int8Epilogue` attrs:
///
///     Out[m, n] = epilogue(Σ_k X[m, k] · Y[k, n]  (exact s32)  + Bias[n])
///
/// One cached oneDNN primitive per layer and batch size (`Kernels.matmulInt8Call`, kept by the op from run to run); s8 inputs on
/// CPUs without VNNI run as one exact u8 product over their positive and negative parts
/// (`Int8SignedInput`), or as they are with 7-bit weights (`Int8EvenWeights`). Inference only.
public enum Int8MulOp: Operator {
    public static let type = "int8_mul"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try MulOp.inferShapes(op, inputs: inputs)
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let plan = try context.memo { try Int8OpPlan(context, slots: ("X", "Y")) }
        let x = try context.input(at: plan.x, slot: "X"), y = try context.input(at: plan.w, slot: "Y")
        try Int8Execution.checkTypes(x: x, w: y, op: op, slots: ("X", "Y"))
        let outShape = try plan.outputShape(x.shape, y.shape) { try inferShapes(op, inputs: ["X": [x.shape], "Y": [y.shape]])["Out"]![0] }
        let xc = plan.columnDims.x, yc = plan.columnDims.y
        var x2 = x.reshaped([x.shape[..<xc].reduce(1, *), x.shape[xc...].reduce(1, *)])
        let y2 = y.reshaped([y.shape[..<yc].reduce(1, *), y.shape[yc...].reduce(1, *)])
        let epilogue = plan.epilogue
        try Int8Execution.check(epilogue, channels: y2.shape[1], op: op)
        var bias = try Int8Execution.bias(context, plan.bias, channels: y2.shape[1])
        if plan.inputZeroPoint != nil {   // asymmetric u8 (`Int8ZeroPoint`: -z Σ w is in Bias)
            guard x2.dtype == .u8 else { throw GraphError("op '\(type)': an X with input_zero_point must be u8, got \(x2.dtype)") }
            if !Kernels.int8IsExact {
                x2 = Int8ZeroPoint.shiftedToSigned(x2)
                bias = plan.corrected(bias: bias, weights: y2, columns: true)
            }
        }
        let residual = try Int8Execution.residual(context, plan.residual, shape: outShape, epilogue: epilogue).map { $0.reshaped([x2.shape[0], y2.shape[1]]) }
        // Without VNNI, an s8 input with 7-bit weights runs as it is (`Int8EvenWeights`: no pair of products saturates).
        let sevenBit = Int8EvenWeights.isEnabled && x2.dtype == .s8 && !Kernels.int8IsExact && plan.sevenBitWeights(y2, doubled: false) != nil
        let (xx, yy) = Int8Execution.direct(x2, y2, op: op, plan: plan, signedIsExact: sevenBit) { Int8SignedInput.matmul($0, $1) }
        let call = plan.call(xx, yy, hasBias: bias != nil, residual: residual) {
            Kernels.matmulInt8Call(xx, weightShape: yy.shape, hasBias: bias != nil, outputScales: epilogue.outputScales,
                                   postOps: Int8Execution.postOps(epilogue, residual: residual != nil),
                                   hasResidual: residual != nil, residualType: residual?.dtype, outputType: epilogue.outputType)
        }
        let out = call.run(xx, weights: yy, bias: bias, residual: consume residual)
        context.setOutput("Out", 0, out.reshaped(outShape))
    }
}
