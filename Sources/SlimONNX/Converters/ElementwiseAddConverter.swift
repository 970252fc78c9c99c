import SlimGraph

/// `elementwise_add`/`_sub`/`_mul`/`_div` -> `Add`/`Sub`/`Mul`/`Div`. Paddle aligns `Y`'s dims to `X`'s starting at `axis`; ONNX
/// broadcasts from the right, so `Y` gets trailing 1s when `axis` leaves dims after it
/// (a conv bias `[C]` at axis 1 of `[N, C, H, W]` becomes `[C, 1, 1]`).
enum ElementwiseAddConverter: OpConverter {
    static let opTypes = ["elementwise_add", "elementwise_sub", "elementwise_mul", "elementwise_div"]
    static let onnxTypes = ["elementwise_add": "Add", "elementwise_sub": "Sub", "elementwise_mul": "Mul", "elementwise_div": "Div"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let xName = try context.inputName(op, "X"), yName = try context.inputName(op, "Y")
        guard let xs = context.shape(of: xName), let ys = context.shape(of: yName) else {
            throw ONNXExportError.op(op, "needs declared shapes of '\(xName)' and '\(yName)'")
        }
        let axis = op.int("axis", default: -1)
        let start = axis < 0 ? xs.count - ys.count : axis
        guard ys.count <= xs.count, start >= 0, start + ys.count <= xs.count else {
            throw ONNXExportError.op(op, "Y \(ys) cannot be aligned to X \(xs) at axis \(axis)")
        }
        let trailing = xs.count - start - ys.count
        let x = try context.floatInput(op, "X")
        let y = trailing == 0 ? try context.floatInput(op, "Y") : try aligned(yName, shape: ys, trailing: trailing, op: op, in: &context)
        let out = try context.output(op, "Out")
        context.graph.add(onnxTypes[op.type] ?? "Add", [x, y], [out])
    }

    /// `Y` with `trailing` 1-dims appended: a reshaped initializer for a parameter, else a Reshape
    /// (unknown dims copied with 0).
    private static func aligned(_ y: String, shape ys: [Int], trailing: Int, op: OpDesc, in context: inout ExportContext) throws -> String {
        let dims = ys + [Int](repeating: 1, count: trailing)
        if let v = context.program.variable(y), v.persistable {
            let key = "aligned:\(y):\(dims)"
            if let done = context.emitted[key] { return done }
            let t = try context.param(y, for: op)
            guard t.dtype == .f32 else { throw ONNXExportError.op(op, "reads the \(t.dtype) parameter '\(y)' as a float input") }
            let name = context.graph.initializer(.floats(t.floats, dims: dims), name: "\(y).aligned")
            context.emitted[key] = name
            return name
        }
        let input = try context.float(y, for: op)
        let shape = context.graph.initializer(.int64s(dims.map { Int64($0 < 0 ? 0 : $0) }, dims: [dims.count]), name: "\(y).aligned_shape")
        return context.graph.add("Reshape", [input, shape], output: "\(y).aligned")
    }
}
