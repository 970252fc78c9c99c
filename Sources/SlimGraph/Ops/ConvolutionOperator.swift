import SlimTensor

/// The shared implementation of `conv2d` and `depthwise_conv2d` (they differ only in type name
/// and in that depthwise requires `groups == C`).
///
/// `Output[n, o, y, x] = sum_{c in group(o), ky, kx} Input[n, c, y*sh - pt + ky*dh, x*sw - pl + kx*dw] * Filter[o, c', ky, kx]`
/// with zero padding, plus `Bias[o]` when the optional `Bias` [O] input is given (Paddle's conv2d
/// slot; the executor fuses a following per-channel `elementwise_add` into it). Backward: `dInput`
/// is the transposed convolution of `dOutput` with `Filter`, `dFilter` the correlation of `Input`
/// with `dOutput`, `dBias` the sum of `dOutput` over N, H, W (oneDNN backward primitives).
public protocol ConvolutionOperator: Operator {
    /// Whether `groups` must equal the input channels.
    static var requiresDepthwise: Bool { get }
}

extension ConvolutionOperator {
    public static var runsOnPrimitives: Bool { true }

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "Input", of: op), w = try ShapeInference.shape(inputs, "Filter", of: op)
        try ShapeInference.requireRank(x, [4], "Input", of: op)
        try ShapeInference.requireRank(w, [4], "Filter", of: op)
        let g = try op.convGeometry()
        guard w.allSatisfy({ $0 > 0 }) else { throw GraphError("op '\(op.type)': Filter shape \(w) must be fully known") }
        if requiresDepthwise, x[1] != -1, g.groups != x[1] {
            throw GraphError("op '\(op.type)': groups is \(g.groups) but Input has \(x[1]) channels", hints: ["depthwise_conv2d needs groups == input channels"])
        }
        guard ShapeInference.compatible(x[1], w[1] * g.groups) else {
            throw GraphError("op '\(op.type)': Input has \(x[1]) channels but Filter \(w) with groups \(g.groups) expects \(w[1] * g.groups)")
        }
        guard w[0] % g.groups == 0 else {
            throw GraphError("op '\(op.type)': \(w[0]) output channels are not divisible by groups \(g.groups)")
        }
        if inputs["Bias"] != nil {
            let b = try ShapeInference.shape(inputs, "Bias", of: op)
            guard b == [w[0]] else { throw GraphError("op '\(op.type)': Bias has shape \(b), expected [\(w[0])]") }
        }
        let oh = try g.outputSize(x[2], kernel: w[2], dim: 0, op: op)
        let ow = try g.outputSize(x[3], kernel: w[3], dim: 1, op: op)
        return ["Output": [[x[0], w[0], oh, ow]]]
    }

    public static func forward(_ context: OpContext) throws {
        let memo = context.memo { ConvolutionMemo(context) }
        let x = try context.floatInput(at: memo.input, slot: "Input"), w = try context.floatInput(at: memo.filter, slot: "Filter")
        let b = memo.hasBias ? try context.floatInput(at: memo.bias, slot: "Bias") : nil
        let g = try memo.geometry(x: x.shape, w: w.shape, b: b?.shape) {
            try checkedGeometry(context.op, x: x.shape, w: w.shape, b: b?.shape)
        }
        guard context.isTraining else { return try inferenceForward(context, memo: memo, x: x, w: w, b: b, geometry: g) }
        memo.setOutput(context, Kernels.conv2dForward(x, filter: w, bias: b, geometry: g, training: true))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dy = context.outputGrad("Output") else { return }
        let x = try context.input("Input"), w = try context.input("Filter")
        let g = try context.op.convGeometry()
        if context.needsGrad("Input") {
            context.addInputGrad("Input", 0, Kernels.conv2dBackwardData(dy, filter: w, inputShape: x.shape, geometry: g))
        }
        let hasBias = context.hasInput("Bias")
        if context.needsGrad("Filter") || (hasBias && context.needsGrad("Bias")) {
            let grads = Kernels.conv2dBackwardWeights(x, dy, filterShape: w.shape, geometry: g, withBias: hasBias)
            context.addInputGrad("Filter", 0, grads.filter)
            if let db = grads.bias { context.addInputGrad("Bias", 0, db) }
        }
    }

    /// The geometry, after checking the run's real shapes (the kernels trap on mismatches).
    private static func checkedGeometry(_ op: OpDesc, x: [Int], w: [Int], b: [Int]?) throws -> ConvGeometry {
        var inputs = ["Input": [x], "Filter": [w]]
        if let b { inputs["Bias"] = [b] }
        _ = try inferShapes(op, inputs: inputs)
        return try op.convGeometry()
    }
}

/// What a convolution derives from its desc once and keeps across runs (the op's memo, train and
/// eval): where its inputs are, its fused activation, the input shapes that last passed shape
/// inference with the geometry then read (checked again whenever the shapes differ), and its
/// inference weights.
final class ConvolutionMemo: LaneMemo {
    let input, filter, bias: InputPosition?
    let hasBias: Bool
    /// The folded batch norm's four inputs (`ConvolutionSlots.batchNorm`), nil when not folded.
    let batchNorm: [InputPosition?]?
    /// The fused residual add's other input (`ConvolutionSlots.residual`), nil when not fused.
    let residual: InputPosition??
    /// The var of `Output`, and whether it is also an input of the op.
    let output: String?
    let outputIsInput: Bool
    let activation: Result<EltwiseKind?, Error>
    /// Input shapes that passed `inferShapes`, and the geometry.
    private var checked: CheckedShapes?
    let weights: InferenceWeights

    init(_ context: OpContext) {
        weights = InferenceWeights()
        let op = context.op
        input = context.inputPosition("Input")
        filter = context.inputPosition("Filter")
        bias = context.inputPosition("Bias")
        hasBias = context.hasInput("Bias")
        batchNorm = context.hasInput(ConvolutionSlots.batchNorm[0]) ? ConvolutionSlots.batchNorm.map { context.inputPosition($0) } : nil
        residual = context.hasInput(ConvolutionSlots.residual) ? .some(context.inputPosition(ConvolutionSlots.residual)) : nil
        output = op.outputs["Output"]?.first
        outputIsInput = output.map(op.inputNames.contains) ?? false
        activation = Result { try op.fusedActivation() }
    }

    /// A lane's memo (`LaneMemo`): the same slots, and the weights as held (folded and packed), its
    /// primitives its own.
    private init(laneOf memo: ConvolutionMemo) {
        (input, filter, bias, hasBias, batchNorm, residual) = (memo.input, memo.filter, memo.bias, memo.hasBias, memo.batchNorm, memo.residual)
        (output, outputIsInput, activation, checked) = (memo.output, memo.outputIsInput, memo.activation, memo.checked)
        weights = memo.weights.laneCopy()
    }

    func laneCopy() -> AnyObject { ConvolutionMemo(laneOf: self) }

    /// The geometry for inputs of these shapes: `check`'s (shape inference, then the attrs) unless
    /// the same shapes passed it last time.
    func geometry(x: [Int], w: [Int], b: [Int]?, check: () throws -> ConvGeometry) rethrows -> ConvGeometry {
        if let c = checked, c.x == x, c.w == w, c.b == b { return c.geometry }
        checked = nil
        let g = try check()
        checked = CheckedShapes(x: x, w: w, b: b, geometry: g)
        return g
    }

    /// (A class: a run's check reads one reference.)
    private final class CheckedShapes {
        let x, w: [Int]
        let b: [Int]?
        let geometry: ConvGeometry

        init(x: [Int], w: [Int], b: [Int]?, geometry: ConvGeometry) {
            self.x = x
            self.w = w
            self.b = b
            self.geometry = geometry
        }
    }

    /// `context.setOutput("Output", 0, y)`.
    func setOutput(_ context: OpContext, _ y: Tensor) {
        guard let output else { return }
        if outputIsInput { context.values[output] = y } else { context.values.append(output, y) }
    }
}
