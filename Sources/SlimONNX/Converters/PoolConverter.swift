import SlimGraph

/// `pool2d` -> `MaxPool` / `AveragePool` (`count_include_pad` = !exclusive), or
/// `GlobalMaxPool` / `GlobalAveragePool` with `global_pooling`.
enum PoolConverter: OpConverter {
    static let opTypes = ["pool2d"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        guard !op.bool("ceil_mode", default: false), !op.bool("adaptive", default: false) else {
            throw ONNXExportError.op(op, "ceil_mode and adaptive pooling cannot be exported (slim does not run them either)")
        }
        let type = op.string("pooling_type", default: "max")
        guard type == "max" || type == "avg" else { throw ONNXExportError.op(op, "unknown pooling_type '\(type)'") }
        let x = try context.floatInput(op, "X")
        if op.bool("global_pooling", default: false) {
            context.graph.add(type == "max" ? "GlobalMaxPool" : "GlobalAveragePool", [x], [try context.output(op, "Out")])
            return
        }
        var attributes: [Onnx_AttributeProto] = [
            .ints("kernel_shape", try op.pair("ksize", default: [])), .ints("strides", try op.pair("strides", default: [1, 1])),
            .ints("pads", try op.onnxPads()),
        ]
        if type == "avg" { attributes.append(.int("count_include_pad", op.bool("exclusive", default: true) ? 0 : 1)) }
        context.graph.add(type == "max" ? "MaxPool" : "AveragePool", [x], [try context.output(op, "Out")], attributes)
    }
}
