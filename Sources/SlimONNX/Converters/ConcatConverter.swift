import SlimGraph

/// `concat` -> `Concat(axis)`.
enum ConcatConverter: OpConverter {
    static let opTypes = ["concat"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let count = op.inputs["X"]?.count ?? 0
        guard count > 0 else { throw ONNXExportError.op(op, "has no inputs 'X'") }
        var inputs: [String] = []
        for i in 0..<count { inputs.append(try context.floatInput(op, "X", i)) }
        context.graph.add("Concat", inputs, [try context.output(op, "Out")], [.int("axis", op.int("axis", default: 0))])
    }
}
