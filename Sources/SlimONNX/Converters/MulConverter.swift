import SlimGraph

/// `mul` (`x_num_col_dims` 1, a 2-D `Y`) -> `[Flatten] -> MatMul`, QDQ operands when quantized.
/// (The bias is the `elementwise_add` that follows; ONNX Runtime fuses MatMul + Add into Gemm.)
enum MulConverter: OpConverter {
    static let opTypes = ["mul"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.inputName(op, "X"), y = try context.inputName(op, "Y")
        let xc = op.int("x_num_col_dims", default: 1), yc = op.int("y_num_col_dims", default: 1)
        guard let xs = context.shape(of: x), let ys = context.shape(of: y) else {
            throw ONNXExportError.op(op, "needs declared shapes of '\(x)' and '\(y)'")
        }
        guard xc == 1, xs.count >= 2, yc == 1, ys.count == 2 else {
            throw ONNXExportError.op(op, "X \(xs) with x_num_col_dims \(xc) and Y \(ys) with y_num_col_dims \(yc): only x_num_col_dims 1 and a 2-D Y can be exported")
        }
        let operands = try context.operands(of: op, input: "X", weight: "Y", flattenAxis: xs.count > 2 ? 1 : nil, weightAxis: 1)
        let out = try context.output(op, "Out")
        context.graph.add("MatMul", [operands.input, operands.weight], [out])
        if operands.quantized { context.set(try context.outputName(op, "Out"), .quantizedOpOutput(out, opType: op.type)) }
    }
}
