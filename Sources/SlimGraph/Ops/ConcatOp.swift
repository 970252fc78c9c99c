import SlimTensor

/// `concat`: joins the vars of slot `X` along `axis` (0; negative counts from the end); every
/// input has the same dims except along `axis`, where the output's size is their sum.
/// Backward: `dOut` split back into the inputs' pieces.
public enum ConcatOp: Operator {
    public static let type = "concat"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let shapes = inputs["X"], let first = shapes.first else {
            throw GraphError("op 'concat' needs at least one input in slot 'X'")
        }
        guard (1...5).contains(first.count) else {
            throw GraphError("op 'concat': inputs of rank \(first.count), supported ranks are 1 to 5")
        }
        let axis = try ShapeInference.axis(op.int("axis", default: 0), rank: first.count, of: op)
        var out = first
        for shape in shapes.dropFirst() {
            guard shape.count == first.count,
                  (0..<first.count).allSatisfy({ $0 == axis || ShapeInference.compatible(shape[$0], out[$0]) }) else {
                throw GraphError("op 'concat': inputs \(shapes) differ outside axis \(axis)")
            }
            for d in 0..<first.count where d != axis { out[d] = ShapeInference.merge(out[d], shape[d]) }
            out[axis] = out[axis] < 0 || shape[axis] < 0 ? -1 : out[axis] + shape[axis]
        }
        return ["Out": [out]]
    }

    public static func forward(_ context: OpContext) throws {
        let xs = try context.inputs("X")
        _ = try inferShapes(context.op, inputs: ["X": xs.map(\.shape)])
        guard Set(xs.map(\.dtype)).count == 1 else { throw GraphError("op 'concat': inputs mix dtypes \(xs.map(\.dtype))") }
        context.setOutput("Out", 0, Kernels.concat(xs, axis: context.op.int("axis", default: 0)))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let xs = try context.inputs("X")
        let axis = try ShapeInference.axis(context.op.int("axis", default: 0), rank: dOut.shape.count, of: context.op)
        let pieces = Kernels.split(dOut, axis: axis, sizes: xs.map { $0.shape[axis] })
        for (i, piece) in pieces.enumerated() where context.needsGrad("X", i) { context.addInputGrad("X", i, piece) }
    }
}
