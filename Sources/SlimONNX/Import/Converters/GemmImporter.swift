import SlimGraph
import SlimTensor

/// `Gemm` with constant B (and C) -> `mul` of A [M, K] and `alpha * B` as [K, N] (transposed at
/// import for `transB`), then `elementwise_add` (axis 1) of `beta * C` [N].
enum GemmImporter: ImportConverter {
    static let opTypes = ["Gemm"]

    static func convert(_ context: inout ImportContext) throws {
        let node = context.node
        guard node.int("transA", default: 0) == 0 else { throw context.unsupported("transA = 1") }
        let a = try context.variable(0)
        guard context.shape(a).count == 2 else { throw context.unsupported("A of shape \(context.shape(a)); slim needs [M, K]") }
        let b = try context.requireConstant(1, "B")
        guard b.shape.count == 2 else { throw context.malformed("B has shape \(b.shape)") }
        let alpha = Double(node.float("alpha", default: 1)), beta = Double(node.float("beta", default: 1))
        let weights = node.int("transB", default: 0) == 1 ? transposed(b) : b
        let y = context.parameter(ConstantMath.map(weights) { $0 * alpha }.tensor, name: node.input[1] + (node.int("transB", default: 0) == 1 || alpha != 1 ? ".kn" : ""))
        let attrs: [String: Attribute] = ["x_num_col_dims": .int(1), "y_num_col_dims": .int(1)]
        guard context.hasInput(2) else {
            try context.emit("mul", ["X": [a], "Y": [y]], ["Out": [try context.output()]], attrs)
            return
        }
        let c = try context.requireConstant(2, "C"), n = weights.shape[1]
        guard c.count == n || c.count == 1 else { throw context.unsupported("C of shape \(c.shape); slim adds a bias of [N] = [\(n)]") }
        let bias = ImportedConstant(shape: [n], values: c.count == 1 ? .init(repeating: c.values[0] * beta, count: n) : c.values.map { $0 * beta }, isFloat: true)
        let product = context.temporary("\(node.output.first ?? "gemm").mul")
        try context.emit("mul", ["X": [a], "Y": [y]], ["Out": [product]], attrs)
        let biasVar = context.parameter(bias.tensor, name: node.input[2])
        try context.emit("elementwise_add", ["X": [product], "Y": [biasVar]], ["Out": [try context.output()]], ["axis": .int(1)])
    }

    /// A 2-D constant transposed.
    static func transposed(_ m: ImportedConstant) -> ImportedConstant {
        let (r, c) = (m.shape[0], m.shape[1])
        var values = [Double](repeating: 0, count: m.count)
        for i in 0..<r { for j in 0..<c { values[j * r + i] = m.values[i * c + j] } }
        return ImportedConstant(shape: [c, r], values: values, isFloat: m.isFloat)
    }
}
