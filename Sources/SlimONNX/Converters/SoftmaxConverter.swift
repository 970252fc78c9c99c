import SlimGraph

/// `softmax` -> `Softmax(axis)` (opset >= 13: along that one axis, as Paddle).
enum SoftmaxConverter: OpConverter {
    static let opTypes = ["softmax"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.floatInput(op, "X")
        context.graph.add("Softmax", [x], [try context.output(op, "Out")], [.int("axis", op.int("axis", default: -1))])
    }
}
