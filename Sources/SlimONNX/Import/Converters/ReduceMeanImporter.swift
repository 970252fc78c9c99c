import SlimGraph

/// `ReduceMean` (axes as an attribute before opset 18, as a constant input from 18) ->
/// `reduce_mean` with `dim` and `keep_dim` (= `keepdims`, default 1). No axes: every dim, or
/// the identity with `noop_with_empty_axes`.
enum ReduceMeanImporter: ImportConverter {
    static let opTypes = ["ReduceMean"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), rank = context.shape(x).count
        var axes = context.node.ints("axes")
        if axes == nil, context.hasInput(1) {
            let c = try context.requireConstant(1, "axes")
            guard let a = c.integers else { throw context.malformed("axes \(c.values) are not integers") }
            axes = a
        }
        let keep = context.node.int("keepdims", default: 1) == 1
        guard let dims = axes, !dims.isEmpty else {
            if context.node.int("noop_with_empty_axes", default: 0) == 1 {
                context.alias(0, to: x)
                return
            }
            try context.emitUnary("reduce_mean", x, ["reduce_all": .bool(true), "keep_dim": .bool(keep)])
            return
        }
        try context.emitUnary("reduce_mean", x, ["dim": .ints(dims.map { $0 < 0 ? $0 + rank : $0 }), "keep_dim": .bool(keep)])
    }
}
