import SlimTensor

/// `conv2d_transpose`: the transposed (fractionally strided) 2-D convolution of `Input`
/// [N, C, H, W] with `Filter` [C, O/groups, KH, KW] into `Output` [N, O, OH, OW],
/// `OH = (H - 1) * stride - top - bottom + dilation * (KH - 1) + 1 + output_padding` (likewise
/// OW). Attrs `strides`, `paddings` (2 or 4 values, top, bottom, left, right), `dilations`,
/// `groups`, `output_padding` ([0, 0]; each below its stride).
///
/// It is the gradient of `conv2d` with respect to its input: forward runs oneDNN's convolution
/// backward-data, backward `dInput = conv2d(dOutput, Filter)` and `dFilter` the convolution's
/// backward-weights with `dOutput` as the input.
public enum Conv2DTransposeOp: Operator {
    public static let type = "conv2d_transpose"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "Input", of: op), w = try ShapeInference.shape(inputs, "Filter", of: op)
        return ["Output": [try outputShape(op, x: x, w: w)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("Input"), w = try context.floatInput("Filter")
        let out = try outputShape(context.op, x: x.shape, w: w.shape)
        context.setOutput("Output", 0, Kernels.conv2dBackwardData(x, filter: w, inputShape: out, geometry: try context.op.convGeometry()))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Output") else { return }
        let x = try context.floatInput("Input"), w = try context.floatInput("Filter"), g = try context.op.convGeometry()
        if context.needsGrad("Input") {
            context.addInputGrad("Input", 0, Kernels.conv2dForward(dOut, filter: w, bias: nil, geometry: g, training: true))
        }
        if context.needsGrad("Filter") {
            context.addInputGrad("Filter", 0, Kernels.conv2dBackwardWeights(dOut, x, filterShape: w.shape, geometry: g, withBias: false).filter)
        }
    }

    /// [N, O, OH, OW] (`-1` for unknown sizes); throws for shapes or attrs that do not fit.
    static func outputShape(_ op: OpDesc, x: [Int], w: [Int]) throws -> [Int] {
        try ShapeInference.requireRank(x, [4], "Input", of: op)
        try ShapeInference.requireRank(w, [4], "Filter", of: op)
        let g = try op.convGeometry()
        guard ShapeInference.compatible(x[1], w[0]), w[0] % g.groups == 0 else {
            throw GraphError("op 'conv2d_transpose': Filter \(w) does not fit Input \(x) with groups \(g.groups)")
        }
        let extra = op.ints("output_padding", default: [0, 0])
        guard extra.count == 2, (0..<2).allSatisfy({ extra[$0] >= 0 && extra[$0] < g.strides[$0] }) else {
            throw op.attrError("output_padding", extra, "two values, each >= 0 and below its stride")
        }
        var out = [x[0], w[1] * g.groups, -1, -1]
        for d in 0..<2 where x[2 + d] > 0 {
            let size = (x[2 + d] - 1) * g.strides[d] - g.paddings[d] - g.paddings[d + 2] + g.dilations[d] * (w[2 + d] - 1) + 1 + extra[d]
            guard size > 0 else { throw GraphError("op 'conv2d_transpose': Input \(x) and Filter \(w) give an empty output") }
            out[2 + d] = size
        }
        return out
    }
}
