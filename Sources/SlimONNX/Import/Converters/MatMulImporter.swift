import SlimGraph

/// `MatMul` of a run-time A (rank >= 2) and a constant 2-D B -> `mul` with
/// `x_num_col_dims` = rank(A) - 1.
enum MatMulImporter: ImportConverter {
    static let opTypes = ["MatMul"]

    static func convert(_ context: inout ImportContext) throws {
        guard context.constant(0) == nil else { throw context.unsupported("a constant first operand") }
        let a = try context.variable(0), rank = context.shape(a).count
        guard let b = context.constant(1) else { throw context.unsupported("a product of two run-time tensors") }
        guard b.shape.count == 2, rank >= 2 else { throw context.unsupported("operands of shapes \(context.shape(a)) and \(b.shape)") }
        let y = try context.variable(1)
        try context.emit("mul", ["X": [a], "Y": [y]], ["Out": [try context.output()]],
                         ["x_num_col_dims": .int(rank - 1), "y_num_col_dims": .int(1)])
    }
}
