import SlimGraph

/// `Conv` (2-D, constant weights) -> `conv2d` (or `depthwise_conv2d` when every group is one
/// input and one output channel), then `elementwise_add` (axis 1) of the bias, as slim's builder
/// lays out a convolution with bias. A QDQ-quantized input and weight make it slim's frozen
/// INT8 form (`QDQImporter`).
enum ConvImporter: ImportConverter {
    static let opTypes = ["Conv"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0)
        let w = try context.requireConstant(1, "weights")
        guard w.shape.count == 4 else { throw context.unsupported("only 2-D convolution (4-D weights); weights are \(w.shape)") }
        let xs = context.shape(x)
        guard xs.count == 4 else { throw context.unsupported("input of shape \(xs); slim convolves NCHW tensors") }
        let group = context.node.int("group", default: 1)
        guard group > 0, xs[1] < 0 || xs[1] == w.shape[1] * group else {
            throw context.malformed("weights \(w.shape) with group \(group) do not fit \(xs[1]) input channels")
        }
        let strides = try SpatialGeometry.pair(context, "strides"), dilations = try SpatialGeometry.pair(context, "dilations")
        if let k = context.node.ints("kernel_shape"), k != Array(w.shape[2...]) {
            throw context.malformed("kernel_shape \(k) differs from the weights' \(Array(w.shape[2...]))")
        }
        let paddings = try SpatialGeometry.paddings(context, input: Array(xs[2...]), kernel: Array(w.shape[2...]), strides: strides, dilations: dilations)
        let quantized = try QDQImporter.operands(&context, weightAxis: 0)
        let input = quantized?.input ?? x, filter = try quantized?.weight ?? context.variable(1)
        let depthwise = group > 1 && group == xs[1] && w.shape[0] == group
        let attrs: [String: Attribute] = ["strides": .ints(strides), "paddings": .ints(paddings), "dilations": .ints(dilations), "groups": .int(group)]
        let name = context.node.output.first ?? "conv"
        let bias = context.hasInput(2) ? try context.variable(2) : nil
        let result = bias == nil ? try context.output() : context.temporary("\(name).conv")
        let conv = quantized == nil ? result : context.temporary("\(name).int")
        try context.emit(depthwise ? "depthwise_conv2d" : "conv2d", ["Input": [input], "Filter": [filter]], ["Output": [conv]], attrs)
        if let quantized { QDQImporter.dequantize(conv, into: result, scales: quantized.scales, context: &context) }
        if let bias { try context.emit("elementwise_add", ["X": [result], "Y": [bias]], ["Out": [try context.output()]], ["axis": .int(1)]) }
    }
}
