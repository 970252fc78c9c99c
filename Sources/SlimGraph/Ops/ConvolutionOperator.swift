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
        let x = try context.floatInput("Input"), w = try context.floatInput("Filter")
        let b = context.hasInput("Bias") ? try context.floatInput("Bias") : nil
        let g = try checkedGeometry(context.op, x: x.shape, w: w.shape, b: b?.shape)
        guard context.isTraining else { return try inferenceForward(context, x: x, w: w, b: b, geometry: g) }
        context.setOutput("Output", 0, Kernels.conv2dForward(x, filter: w, bias: b, geometry: g, training: true))
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
