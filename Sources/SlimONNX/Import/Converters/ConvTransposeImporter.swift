import SlimGraph

/// `ConvTranspose` (2-D, constant weights [C, O/g, KH, KW]) -> `conv2d_transpose`, then
/// `elementwise_add` (axis 1) of the bias. `output_padding` and `pads` map to the op's attrs;
/// `output_shape` and SAME auto_pad are resolved to pads from the known input size.
enum ConvTransposeImporter: ImportConverter {
    static let opTypes = ["ConvTranspose"]

    static func convert(_ context: inout ImportContext) throws {
        let node = context.node, x = try context.variable(0), xs = context.shape(x)
        let w = try context.requireConstant(1, "weights")
        guard w.shape.count == 4, xs.count == 4 else { throw context.unsupported("only 2-D transposed convolution; weights are \(w.shape)") }
        let strides = try SpatialGeometry.pair(context, "strides"), dilations = try SpatialGeometry.pair(context, "dilations")
        let outputPadding = node.ints("output_padding") ?? [0, 0]
        guard outputPadding.count == 2 else { throw context.unsupported("output_padding \(outputPadding)") }
        let pads = try paddings(context, input: xs, kernel: Array(w.shape[2...]), strides: strides, dilations: dilations, outputPadding: outputPadding)
        let filter = try context.variable(1)
        var attrs: [String: Attribute] = ["strides": .ints(strides), "paddings": .ints(pads), "dilations": .ints(dilations),
                                          "groups": .int(node.int("group", default: 1))]
        if outputPadding != [0, 0] { attrs["output_padding"] = .ints(outputPadding) }
        guard context.hasInput(2) else {
            try context.emit("conv2d_transpose", ["Input": [x], "Filter": [filter]], ["Output": [try context.output()]], attrs)
            return
        }
        let bias = try context.variable(2)
        let conv = context.temporary("\(node.output.first ?? "deconv").deconv")
        try context.emit("conv2d_transpose", ["Input": [x], "Filter": [filter]], ["Output": [conv]], attrs)
        try context.emit("elementwise_add", ["X": [conv], "Y": [bias]], ["Out": [try context.output()]], ["axis": .int(1)])
    }

    /// Slim's [top, bottom, left, right]: from `output_shape` (the total padding that gives it),
    /// SAME auto_pad (output = input * stride), or `pads`. The total is split with the larger
    /// half at the end for SAME_UPPER, at the start otherwise.
    static func paddings(_ context: ImportContext, input xs: [Int], kernel: [Int], strides: [Int], dilations: [Int],
                         outputPadding: [Int]) throws -> [Int] {
        let autoPad = context.node.string("auto_pad", default: "NOTSET"), shape = context.node.ints("output_shape")
        guard shape != nil || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" else {
            return try SpatialGeometry.paddings(context, input: Array(xs[2...]), kernel: kernel, strides: strides, dilations: dilations)
        }
        guard xs[2] > 0, xs[3] > 0 else { throw context.unsupported("output_shape or SAME auto_pad with an unknown input size") }
        let target = shape.map { Array($0.suffix(2)) } ?? [xs[2] * strides[0], xs[3] * strides[1]]
        var pads = [0, 0, 0, 0]
        for d in 0..<2 {
            let full = strides[d] * (xs[2 + d] - 1) + outputPadding[d] + (kernel[d] - 1) * dilations[d] + 1
            let total = shape == nil ? max(full - target[d], 0) : full - target[d]
            guard total >= 0 else { throw context.unsupported("output_shape \(target) larger than the full transposed output") }
            pads[2 * d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
            pads[2 * d + 1] = total - pads[2 * d]
        }
        return pads
    }
}
