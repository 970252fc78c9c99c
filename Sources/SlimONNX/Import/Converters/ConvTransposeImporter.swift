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
        let group = node.int("group", default: 1)
        let strides = try SpatialGeometry.pair(context, "strides"), dilations = try SpatialGeometry.pair(context, "dilations")
        var outputPadding = node.ints("output_padding") ?? [0, 0]
        var pads: [Int]
        let extent = (0..<2).map { (w.shape[2 + $0] - 1) * dilations[$0] + 1 }
        if let shape = node.ints("output_shape") {
            guard shape.count >= 2, xs[2] > 0, xs[3] > 0 else { throw context.unsupported("output_shape \(shape) with an unknown input size") }
            let target = Array(shape.suffix(2))
            pads = [0, 0, 0, 0]
            for d in 0..<2 {
                let total = strides[d] * (xs[2 + d] - 1) + outputPadding[d] + extent[d] - target[d]
                guard total >= 0 else { throw context.unsupported("output_shape \(shape) larger than the full transposed output") }
                let autoPad = node.string("auto_pad", default: "NOTSET")
                pads[2 * d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                pads[2 * d + 1] = total - pads[2 * d]
            }
        } else {
            switch node.string("auto_pad", default: "NOTSET") {
            case "SAME_UPPER", "SAME_LOWER":
                guard xs[2] > 0, xs[3] > 0 else { throw context.unsupported("SAME auto_pad with an unknown input size") }
                let upper = node.string("auto_pad", default: "") == "SAME_UPPER"
                pads = [0, 0, 0, 0]
                for d in 0..<2 {
                    let total = max(strides[d] * (xs[2 + d] - 1) + outputPadding[d] + extent[d] - xs[2 + d] * strides[d], 0)
                    pads[2 * d] = upper ? total / 2 : total - total / 2
                    pads[2 * d + 1] = total - pads[2 * d]
                }
            default:
                pads = try SpatialGeometry.paddings(context, input: Array(xs[2...]), kernel: Array(w.shape[2...]), strides: strides, dilations: dilations)
            }
        }
        guard outputPadding.count == 2 else { throw context.unsupported("output_padding \(outputPadding)") }
        if outputPadding == [0, 0] { outputPadding = [] }
        let filter = try context.variable(1)
        var attrs: [String: Attribute] = ["strides": .ints(strides), "paddings": .ints(pads), "dilations": .ints(dilations), "groups": .int(group)]
        if !outputPadding.isEmpty { attrs["output_padding"] = .ints(outputPadding) }
        guard context.hasInput(2) else {
            try context.emit("conv2d_transpose", ["Input": [x], "Filter": [filter]], ["Output": [try context.output()]], attrs)
            return
        }
        let bias = try context.variable(2)
        let conv = context.temporary("\(node.output.first ?? "deconv").deconv")
        try context.emit("conv2d_transpose", ["Input": [x], "Filter": [filter]], ["Output": [conv]], attrs)
        try context.emit("elementwise_add", ["X": [conv], "Y": [bias]], ["Out": [try context.output()]], ["axis": .int(1)])
    }
}
