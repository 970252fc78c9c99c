import SlimGraph

/// `Transpose` -> `transpose2` (`perm` defaults to the reversed dims).
enum TransposeImporter: ImportConverter {
    static let opTypes = ["Transpose"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), rank = context.shape(x).count
        let perm = context.node.ints("perm") ?? Array((0..<rank).reversed())
        guard perm.sorted() == Array(0..<rank) else { throw context.malformed("perm \(perm) for rank \(rank)") }
        try context.emitUnary("transpose2", x, ["axis": .ints(perm)])
    }
}
