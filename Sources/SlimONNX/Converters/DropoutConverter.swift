import SlimGraph

/// `dropout` at inference: `upscale_in_train` is the identity (no node; readers use `X`),
/// `downgrade_in_infer` scales by `1 - p` (`Mul`). `Mask` is not exported.
enum DropoutConverter: OpConverter {
    static let opTypes = ["dropout"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let p = op.float("dropout_prob", default: 0.5)
        guard p >= 0, p <= 1 else { throw ONNXExportError.op(op, "dropout_prob \(p) is outside [0, 1]") }
        let x = try context.floatInput(op, "X")
        switch op.string("dropout_implementation", default: "upscale_in_train") {
        case "upscale_in_train":
            context.set(try context.outputName(op, "Out"), .float(x))
        case "downgrade_in_infer":
            let factor = context.graph.scalar(Float(1 - p), name: "dropout.keep")
            context.graph.add("Mul", [x, factor], [try context.output(op, "Out")])
        case let other:
            throw ONNXExportError.op(op, "unknown dropout_implementation '\(other)'")
        }
    }
}
