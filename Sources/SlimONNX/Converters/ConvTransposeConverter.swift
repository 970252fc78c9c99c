import SlimGraph

/// `conv2d_transpose` -> `ConvTranspose` (`group`, `output_padding` when set).
enum ConvTransposeConverter: OpConverter {
    static let opTypes = ["conv2d_transpose"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let filter = try context.inputName(op, "Filter")
        guard let shape = context.shape(of: filter), shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw ONNXExportError.op(op, "filter '\(filter)' must be a 4-D weight [C, O/g, KH, KW], is \(context.shape(of: filter) ?? [])")
        }
        var attributes: [Onnx_AttributeProto] = [
            .ints("kernel_shape", [shape[2], shape[3]]), .ints("strides", try op.pair("strides", default: [1, 1])),
            .ints("pads", try op.onnxPads()), .ints("dilations", try op.pair("dilations", default: [1, 1])),
            .int("group", op.int("groups", default: 1)),
        ]
        let extra = op.ints("output_padding", default: [0, 0])
        if extra != [0, 0] { attributes.append(.ints("output_padding", extra)) }
        let x = try context.floatInput(op, "Input"), w = try context.floatInput(op, "Filter")
        context.graph.add("ConvTranspose", [x, w], [try context.output(op, "Output")], attributes)
    }
}
