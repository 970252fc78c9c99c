import SlimTensor

/// Whether a run trains (batch statistics, dropout, scale updates, a tape for backward) or
/// evaluates (running statistics, stored scales).
public enum ExecutionMode: String, Sendable {
    case train, eval
}

/// One op type: shape inference, forward and backward (the op's gradient rule).
///
/// Implementations are stateless types, one per file in `Ops/`, registered in `OpRegistry`
/// (other modules register theirs, e.g. SlimQuant's fake-quant ops). Everything a forward must
/// hand to its backward goes into `context.saved`.
public protocol Operator {
    /// The Paddle op type, e.g. `conv2d`.
    static var type: String { get }

    /// Output shapes (slot -> one shape per output var) from the input shapes (slot -> shapes);
    /// `-1` stands for the batch dimension. Throws `GraphError` for inconsistent inputs.
    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]]

    /// Computes the outputs from the inputs.
    static func forward(_ context: OpContext) throws

    /// Accumulates the gradients of the inputs from the gradients of the outputs. Ops without
    /// a gradient (metrics, integer ops) leave the default, which does nothing.
    static func backward(_ context: OpContext) throws

    /// Whether an eval-mode forward does all its work on tensor bytes in oneDNN primitives, views
    /// and recorded Swift kernels (`PrimitiveRecording.host`, `Tensor.mapElements`) from values
    /// fixed for the run, so that a run of such ops can be recorded and replayed
    /// (`Executor.replaysInference`).
    static var runsOnPrimitives: Bool { get }

    /// `runsOnPrimitives` for one op (an op type whose attrs or inputs decide it overrides this).
    static func runsOnPrimitives(_ op: OpDesc) -> Bool
}

extension Operator {
    public static func backward(_ context: OpContext) throws {}

    public static var runsOnPrimitives: Bool { false }

    public static func runsOnPrimitives(_ op: OpDesc) -> Bool { runsOnPrimitives }
}
