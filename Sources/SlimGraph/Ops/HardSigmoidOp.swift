import SlimTensor

/// `hard_sigmoid`: `Out = min(max(slope * X + offset, 0), 1)` (`slope` 0.2, `offset` 0.5);
/// backward `dX = slope * dOut` where `0 < slope * X + offset < 1`, else 0. Runs as oneDNN's
/// eltwise linear then clip.
public enum HardSigmoidOp: Operator {
    public static let type = "hard_sigmoid"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        _ = try linear(op)
        return ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), training = context.isTraining
        let line = Kernels.eltwiseForward(x, try linear(context.op), training: training)
        context.setOutput("Out", 0, Kernels.eltwiseForward(line, .clip(lo: 0, hi: 1), training: training))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let kind = try linear(context.op)
        guard case let .linear(slope, _) = kind else { return }
        let line = Kernels.eltwiseForward(try context.floatInput("X"), kind)
        let dLine = Kernels.eltwiseBackward(dOut, input: line, .clip(lo: 0, hi: 1))
        context.addInputGrad("X", 0, Kernels.eltwiseForward(dLine, .linear(alpha: slope, beta: 0)))
    }

    /// `slope * X + offset` as an eltwise kind; both must be finite.
    static func linear(_ op: OpDesc) throws -> EltwiseKind {
        let slope = Float(op.float("slope", default: 0.2)), offset = Float(op.float("offset", default: 0.5))
        guard slope.isFinite, offset.isFinite else { throw GraphError("op 'hard_sigmoid': slope \(slope) and offset \(offset) must be finite") }
        return .linear(alpha: slope, beta: offset)
    }
}
