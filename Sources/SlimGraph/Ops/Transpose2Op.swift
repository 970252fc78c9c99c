import SlimTensor

/// `transpose2`: `Out` = `X` with its dims permuted by attr `axis` (`Out.dims[i] = X.dims[axis[i]]`,
/// any rank). The optional `XShape` output is Paddle's marker `[0] + X.dims` (no elements).
/// Backward: `dX` = `dOut` permuted by the inverse of `axis`. A plain strided copy.
public enum Transpose2Op: Operator {
    public static let type = "transpose2"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        let perm = try permutation(op, rank: x.count)
        return ["Out": [perm.map { x[$0] }], "XShape": [[0] + x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        context.setOutput("Out", 0, permuted(x, try permutation(context.op, rank: x.shape.count)))
        context.setOutput("XShape", 0, Tensor(shape: [0] + x.shape))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let perm = try permutation(context.op, rank: dOut.shape.count)
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        context.addInputGrad("X", 0, permuted(dOut, inverse))
    }

    /// Attr `axis`, checked to be a permutation of 0..<rank.
    static func permutation(_ op: OpDesc, rank: Int) throws -> [Int] {
        let axis = op.ints("axis", default: [])
        guard axis.count == rank, axis.sorted() == Array(0..<rank) else {
            throw GraphError("op 'transpose2': axis \(axis) is not a permutation of 0..<\(rank)")
        }
        return axis
    }

    /// `x` with dims permuted: output element at index `o` reads `x` at the index whose dim
    /// `perm[i]` is `o[i]`.
    static func permuted(_ x: Tensor, _ perm: [Int]) -> Tensor {
        let shape = perm.map { x.shape[$0] }
        var strides = [Int](repeating: 1, count: x.shape.count)
        for d in stride(from: x.shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * x.shape[d + 1] }
        let readStrides = perm.map { strides[$0] }
        var out = Tensor(shape: shape)
        guard out.count > 0 else { return out }
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                var index = [Int](repeating: 0, count: shape.count), offset = 0
                for o in 0..<dst.count {
                    dst[o] = src[offset]
                    var d = shape.count - 1
                    while d >= 0 {
                        index[d] += 1
                        offset += readStrides[d]
                        if index[d] < shape[d] { break }
                        offset -= readStrides[d] * shape[d]
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
        return out
    }
}
