import SlimGraph

/// `conv2d` / `depthwise_conv2d` -> `Conv` (`group` = groups), QDQ operands when quantized.
enum ConvConverter: OpConverter {
    static let opTypes = ["conv2d", "depthwise_conv2d"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let filter = try context.inputName(op, "Filter")
        guard let shape = context.shape(of: filter), shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw ONNXExportError.op(op, "filter '\(filter)' must be a 4-D weight [O, C/g, KH, KW], is \(context.shape(of: filter) ?? [])")
        }
        let groups = op.int("groups", default: 1)
        guard groups > 0 else { throw ONNXExportError.op(op, "groups \(groups) must be positive") }
        let attributes: [Onnx_AttributeProto] = [
            .ints("kernel_shape", [shape[2], shape[3]]), .ints("strides", try op.pair("strides", default: [1, 1])),
            .ints("pads", try op.onnxPads()), .ints("dilations", try op.pair("dilations", default: [1, 1])),
            .int("group", groups),
        ]
        let operands = try context.operands(of: op, input: "Input", weight: "Filter", flattenAxis: nil, weightAxis: 0)
        let out = try context.output(op, "Output")
        context.graph.add("Conv", [operands.input, operands.weight], [out], attributes)
        if operands.quantized { context.set(try context.outputName(op, "Output"), .quantizedOpOutput(out, opType: op.type)) }
    }
}
