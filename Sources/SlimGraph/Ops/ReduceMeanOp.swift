import SlimTensor

/// `reduce_mean` (Paddle 1.6): the mean of `X` over attr `dim` (default [0]; negative counts
/// from the end), or over every dim when `reduce_all`. `Out` keeps the reduced dims as 1 when
/// `keep_dim`, else drops them ([1] when none is left). Backward: `dX = dOut / n` broadcast over
/// the reduced dims (`n` elements averaged per output). Runs on oneDNN's reduction and binary.
public enum ReduceMeanOp: Operator {
    public static let type = "reduce_mean"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        let reduced = try reducedDims(op, rank: x.count)
        return ["Out": [outputShape(x, reduced: reduced, keep: op.bool("keep_dim", default: false))]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        guard x.count > 0 else { throw GraphError("op 'reduce_mean': X \(x.shape) has no elements") }
        let reduced = try reducedDims(context.op, rank: x.shape.count)
        let kept = x.shape.indices.map { reduced.contains($0) ? 1 : x.shape[$0] }
        let n = Float(x.count / kept.reduce(1, *))
        let mean = Kernels.eltwiseForward(Kernels.reduceSum(x, to: kept), .linear(alpha: 1 / n, beta: 0))
        context.setOutput("Out", 0, mean.reshaped(outputShape(x.shape, reduced: reduced, keep: context.op.bool("keep_dim", default: false))))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let reduced = try reducedDims(context.op, rank: x.shape.count)
        let kept = x.shape.indices.map { reduced.contains($0) ? 1 : x.shape[$0] }
        let n = Float(x.count / max(kept.reduce(1, *), 1))
        context.addInputGrad("X", 0, Kernels.multiply(Tensor.filled(1 / n, shape: x.shape), dOut.reshaped(kept)))
    }

    /// The reduced dims (normalised), every dim when `reduce_all`.
    static func reducedDims(_ op: OpDesc, rank: Int) throws -> Set<Int> {
        if op.bool("reduce_all", default: false) { return Set(0..<rank) }
        let dims = try op.ints("dim", default: [0]).map { try ShapeInference.axis($0, rank: rank, of: op) }
        return Set(dims)
    }

    /// X's dims with the reduced ones set to 1 (`keep`) or dropped (then [1] when empty).
    static func outputShape(_ x: [Int], reduced: Set<Int>, keep: Bool) -> [Int] {
        if keep { return x.indices.map { reduced.contains($0) ? 1 : x[$0] } }
        let left = x.indices.filter { !reduced.contains($0) }.map { x[$0] }
        return left.isEmpty ? [1] : left
    }
}
