import SlimGraph

/// `relu` -> `Relu`; `relu6` -> `Clip(x, 0, threshold)` (min and max as inputs, opset >= 11);
/// `leaky_relu` -> `LeakyRelu(alpha)` (Paddle's default alpha 0.02).
enum ActivationConverter: OpConverter {
    static let opTypes = ["relu", "relu6", "leaky_relu"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.floatInput(op, "X")
        if op.type == "relu" {
            context.graph.add("Relu", [x], [try context.output(op, "Out")])
            return
        }
        if op.type == "leaky_relu" {
            let alpha = Float(op.float("alpha", default: 0.02))
            context.graph.add("LeakyRelu", [x], [try context.output(op, "Out")], [.float("alpha", alpha)])
            return
        }
        let threshold = Float(op.float("threshold", default: 6))
        let low = context.graph.scalar(0, name: "clip.zero"), high = context.graph.scalar(threshold, name: "clip.\(threshold)")
        context.graph.add("Clip", [x, low, high], [try context.output(op, "Out")])
    }
}
