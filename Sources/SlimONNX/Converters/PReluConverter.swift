import SlimGraph

/// `prelu` -> `PRelu` with the slope reshaped to broadcast from the right: [1] ("all"),
/// [C, 1, ..., 1] ("channel"), X's dims after the batch ("element").
enum PReluConverter: OpConverter {
    static let opTypes = ["prelu"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let xName = try context.inputName(op, "X"), alphaName = try context.inputName(op, "Alpha")
        guard let xs = context.shape(of: xName), xs.count >= 2 else { throw ONNXExportError.op(op, "needs the declared shape of X") }
        let alpha = try context.param(alphaName, for: op)
        let dims: [Int]
        switch op.string("mode", default: "all") {
        case "all": dims = [1]
        case "channel": dims = [alpha.count] + [Int](repeating: 1, count: xs.count - 2)
        default: dims = Array(xs.dropFirst())
        }
        guard dims.reduce(1, *) == alpha.count, alpha.dtype == .f32 else { throw ONNXExportError.op(op, "Alpha \(alpha.shape) does not fit X \(xs)") }
        let slope = context.graph.initializer(.floats(alpha.floats, dims: dims), name: "\(alphaName).slope")
        context.graph.add("PRelu", [try context.floatInput(op, "X"), slope], [try context.output(op, "Out")])
    }
}
