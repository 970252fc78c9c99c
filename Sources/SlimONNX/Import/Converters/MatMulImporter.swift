import SlimGraph

/// `MatMul` of a run-time A (rank >= 2) and a constant 2-D B -> `mul` with
/// `x_num_col_dims` = rank(A) - 1 (QDQ-quantized operands: slim's frozen INT8 form, `QDQImporter`).
enum MatMulImporter: ImportConverter {
    static let opTypes = ["MatMul"]

    static func convert(_ context: inout ImportContext) throws {
        guard context.constant(0) == nil else { throw context.unsupported("a constant first operand") }
        let a = try context.variable(0), rank = context.shape(a).count
        guard let b = context.constant(1) else { throw context.unsupported("a product of two run-time tensors") }
        guard b.shape.count == 2, rank >= 2 else { throw context.unsupported("operands of shapes \(context.shape(a)) and \(b.shape)") }
        let attrs: [String: Attribute] = ["x_num_col_dims": .int(rank - 1), "y_num_col_dims": .int(1)]
        if let q = try QDQImporter.operands(&context, weightAxis: 1) {
            let product = context.temporary("\(context.node.output.first ?? "matmul").int")
            try context.emit("mul", ["X": [q.input], "Y": [q.weight]], ["Out": [product]], attrs)
            QDQImporter.dequantize(product, into: try context.output(), scales: q.scales, context: &context)
            return
        }
        try context.emit("mul", ["X": [a], "Y": [try context.variable(1)]], ["Out": [try context.output()]], attrs)
    }
}
