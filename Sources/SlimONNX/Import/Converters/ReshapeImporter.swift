import SlimGraph

/// `Reshape` with a shape known at import -> `reshape2`. A shape folded from `Shape` of a
/// batched tensor has the batch dim first; it becomes 0 (copy the input's batch).
enum ReshapeImporter: ImportConverter {
    static let opTypes = ["Reshape"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0)
        let target = try context.requireConstant(1, "shape")
        var dims: [Int] = []
        for (i, v) in target.values.enumerated() {
            if v.isNaN && i == 0 {
                dims.append(0)
            } else if v.isFinite, v.rounded() == v {
                dims.append(Int(v))
            } else {
                throw context.unsupported("shape \(target.values): only the first dim may be the batch")
            }
        }
        if target.values.first?.isNaN == true, context.shape(x).first != -1 {
            throw context.unsupported("a shape copying the batch size onto input \(context.shape(x)), whose first dim is not the batch")
        }
        if context.node.int("allowzero", default: 0) == 1 && dims.contains(0) {
            throw context.unsupported("allowzero = 1 with a 0 in the shape")
        }
        try context.emitUnary("reshape2", x, ["shape": .ints(dims)])
    }
}
