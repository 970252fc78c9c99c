import SlimGraph
import SlimTensor

/// What an int8 op (`int8_conv2d`, `int8_mul`) derives from its desc, once per executor
/// (`OpContext.memo`) instead of on every run: where its inputs are, its `Int8Epilogue`, its
/// convolution geometry and `input_shift`, its `x_num_col_dims` / `y_num_col_dims`; and, checked on
/// every run, the output shape and the kernel call (`Int8KernelCall`: the cached primitive) of the
/// last input shapes and types seen.
final class Int8OpPlan: LaneMemo {
    /// The activation and weight inputs (`Input`/`Filter` or `X`/`Y`), and the optional `Bias` and
    /// `ResidualData`, resolved once (`OpContext.inputPosition`; nil: no such input).
    let x: InputPosition?, w: InputPosition?
    let bias: InputPosition?, residual: InputPosition?
    let epilogue: Int8Epilogue
    let geometry: ConvGeometry?
    let columnDims: (x: Int, y: Int)
    /// The `input_zero_point` of an asymmetric u8 input (`Int8ZeroPoint`), nil for a symmetric one.
    let inputZeroPoint: Int?
    /// Attr `input_shift` (0 when absent): the level a u8 input's values are shifted by.
    let inputShift: Int
    private var lastShapes: (input: [Int], weights: [Int], output: [Int])?
    /// Whether `Int8Execution.direct` has counted this op (once per op, off the per-call path).
    var counted = false
    private var lastCall: Int8KernelCall?
    /// The weights as `Int8EvenWeights` hands them to oneDNN (nil: a level outside -64...63), kept
    /// while the weights' storage is the same.
    private var sevenBit: (source: TensorStorage, weights: Tensor?)?
    /// The bias doubled for `Int8EvenWeights`, kept while the bias's storage is the same.
    private var doubledBias: (source: TensorStorage, doubled: Tensor)?
    /// The bias with `Int8ZeroPoint.biasCorrection`, kept while the weights' and bias's storages
    /// are the same.
    private var correctedBias: (weights: TensorStorage, bias: TensorStorage?, corrected: Tensor)?

    /// - Throws: `GraphError` for malformed epilogue or geometry attrs (as the op's run would).
    init(_ context: OpContext, slots: (x: String, w: String), geometry: @autoclosure () throws -> ConvGeometry? = nil) throws {
        let op = context.op
        (x, w) = (context.inputPosition(slots.x), context.inputPosition(slots.w))
        (bias, residual) = (context.inputPosition("Bias"), context.inputPosition("ResidualData"))
        inputShift = op.int("input_shift", default: 0)
        epilogue = try Int8Epilogue(op)
        self.geometry = try geometry()
        columnDims = (op.int("x_num_col_dims", default: 1), op.int("y_num_col_dims", default: 1))
        inputZeroPoint = try Int8ZeroPoint.of(op)
    }

    /// A lane's plan (`LaneMemo`): the same desc-derived values and weight forms; its calls its
    /// own, each taking the weights as this plan's last call packed them when its primitive wants
    /// the same layout.
    private init(laneOf plan: Int8OpPlan) {
        (x, w, bias, residual, epilogue, geometry) = (plan.x, plan.w, plan.bias, plan.residual, plan.epilogue, plan.geometry)
        (columnDims, inputZeroPoint, inputShift) = (plan.columnDims, plan.inputZeroPoint, plan.inputShift)
        (sevenBit, doubledBias, correctedBias) = (plan.sevenBit, plan.doubledBias, plan.correctedBias)
        counted = plan.counted
        packedBy = plan.lastCall
    }

    func laneCopy() -> AnyObject { Int8OpPlan(laneOf: self) }

    /// The call whose packed weights a lane's calls take (`init(laneOf:)`).
    private var packedBy: Int8KernelCall?

    /// The output shape for `input` and `weights` shapes: `infer` the first time and whenever they
    /// change (a new batch size), else the shape it gave last.
    func outputShape(_ input: [Int], _ weights: [Int], infer: () throws -> [Int]) rethrows -> [Int] {
        if let last = lastShapes, last.input == input, last.weights == weights { return last.output }
        let output = try infer()
        lastShapes = (input, weights, output)
        return output
    }

    /// The 7-bit weights as `Int8EvenWeights` hands them to oneDNN: `2 w` for a convolution
    /// (`doubled`), `w` itself for a matmul; nil when a level of `w` is outside -64...63. Once per
    /// weight storage.
    func sevenBitWeights(_ w: Tensor, doubled: Bool) -> Tensor? {
        let source = w.storage
        if let last = sevenBit, last.source === source { return last.weights }
        let weights = doubled ? Int8EvenWeights.doubled(w) : Int8EvenWeights.fits(w) ? w : nil
        sevenBit = (source, weights)
        return weights
    }

    /// `2 * b`, computed once per bias storage.
    func doubled(bias b: Tensor) -> Tensor {
        let source = b.storage
        if let last = doubledBias, last.source === source { return last.doubled }
        let doubled = Tensor(shape: b.shape, floats: b.asFloats.map { 2 * $0 })
        doubledBias = (source, doubled)
        return doubled
    }

    /// `Int8ZeroPoint.biasCorrection(bias, weights: w, columns:)`, computed once per weight and
    /// bias storage (the weights' sums are a pass over every weight).
    func corrected(bias: Tensor?, weights w: Tensor, columns: Bool) -> Tensor {
        let weights = w.storage, source = bias?.storage
        if let last = correctedBias, last.weights === weights, last.bias === source { return last.corrected }
        let corrected = Int8ZeroPoint.biasCorrection(bias, weights: w, columns: columns)
        correctedBias = (weights, source, corrected)
        return corrected
    }

    /// The kernel call for `x` and `w`: the last one when it fits them, else `make`'s.
    func call(_ x: Tensor, _ w: Tensor, hasBias: Bool, residual: Tensor?, make: () -> Int8KernelCall) -> Int8KernelCall {
        if let last = lastCall, last.fits(x, weights: w, hasBias: hasBias, hasResidual: residual != nil, residualType: residual?.dtype) { return last }
        let made = make()
        if let packedBy { made.takePackedWeights(of: packedBy) }
        lastCall = made
        return made
    }
}
