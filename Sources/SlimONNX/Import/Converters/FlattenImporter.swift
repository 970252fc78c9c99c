import SlimGraph

/// `Flatten` -> `flatten2` (`axis` >= 1), or `reshape2` [1, -1] for axis 0.
enum FlattenImporter: ImportConverter {
    static let opTypes = ["Flatten"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), rank = context.shape(x).count
        let axis = context.node.int("axis", default: 1), a = axis < 0 ? axis + rank : axis
        guard a >= 0, a <= rank else { throw context.malformed("axis \(axis) for rank \(rank)") }
        if a == 0 {
            try context.emitUnary("reshape2", x, ["shape": .ints([1, -1])])
        } else {
            try context.emitUnary("flatten2", x, ["axis": .int(a)])
        }
    }
}
