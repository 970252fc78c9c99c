import SlimGraph

/// `reshape2` -> `Reshape` (same rules: 0 copies a dim, one -1 is inferred); `flatten2` ->
/// `Flatten(axis)`. `XShape` (Paddle's marker for the gradient) is not exported.
enum ReshapeConverter: OpConverter {
    static let opTypes = ["reshape2", "flatten2"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.floatInput(op, "X")
        if op.type == "flatten2" {
            context.graph.add("Flatten", [x], [try context.output(op, "Out")], [.int("axis", op.int("axis", default: 1))])
            return
        }
        guard op.inputs["Shape"] == nil, op.inputs["ShapeTensor"] == nil else {
            throw ONNXExportError.op(op, "a shape given as an input tensor cannot be exported; only attr 'shape'")
        }
        let target = op.ints("shape", default: [])
        guard !target.isEmpty, target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else {
            throw ONNXExportError.op(op, "attr 'shape' \(target) needs at least one dim, at most one -1 and no other negative value")
        }
        let out = try context.outputName(op, "Out")
        let shape = context.graph.initializer(.int64s(target.map { Int64($0) }, dims: [target.count]), name: "\(out).shape")
        context.graph.add("Reshape", [x, shape], [try context.output(op, "Out")])
    }
}
