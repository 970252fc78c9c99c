import SlimGraph

/// `Concat` of run-time tensors (constants among them become params) -> `concat`.
enum ConcatImporter: ImportConverter {
    static let opTypes = ["Concat"]

    static func convert(_ context: inout ImportContext) throws {
        let inputs = try context.node.input.indices.filter { context.hasInput($0) }.map { try context.variable($0) }
        guard let first = inputs.first else { throw context.malformed("no inputs") }
        let rank = context.shape(first).count, axis = context.node.int("axis", default: 1)
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw context.malformed("axis \(axis) for rank \(rank)") }
        try context.emit("concat", ["X": inputs], ["Out": [try context.output()]], ["axis": .int(a)])
    }
}
