import SlimGraph

/// `batch_norm` (inference: running statistics) -> `BatchNormalization(X, Scale, Bias, Mean, Variance)`.
enum BatchNormConverter: OpConverter {
    static let opTypes = ["batch_norm"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        guard op.string("data_layout", default: "NCHW") == "NCHW" else {
            throw ONNXExportError.op(op, "data_layout '\(op.string("data_layout", default: ""))' cannot be exported; NCHW only")
        }
        var inputs: [String] = []
        for slot in ["X", "Scale", "Bias", "Mean", "Variance"] { inputs.append(try context.floatInput(op, slot)) }
        let out = try context.output(op, "Y")
        context.graph.add("BatchNormalization", inputs, [out], [.float("epsilon", Float(op.float("epsilon", default: 1e-5)))])
    }
}
