import SlimGraph

/// `sigmoid` -> `Sigmoid`, `tanh` -> `Tanh`, `hard_sigmoid` -> `HardSigmoid(alpha = slope,
/// beta = offset)`, `hard_swish` -> `Mul(x, HardSigmoid(x, 1/6, 0.5))` (opset 13 has no
/// HardSwish), `clip` -> `Clip(x, min, max)`.
enum SmoothActivationConverter: OpConverter {
    static let opTypes = ["sigmoid", "tanh", "hard_sigmoid", "hard_swish", "clip"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let x = try context.floatInput(op, "X")
        switch op.type {
        case "sigmoid": context.graph.add("Sigmoid", [x], [try context.output(op, "Out")])
        case "tanh": context.graph.add("Tanh", [x], [try context.output(op, "Out")])
        case "hard_sigmoid":
            context.graph.add("HardSigmoid", [x], [try context.output(op, "Out")],
                              [.float("alpha", Float(op.float("slope", default: 0.2))), .float("beta", Float(op.float("offset", default: 0.5)))])
        case "hard_swish":
            let gate = context.graph.add("HardSigmoid", [x], output: "\(try context.outputName(op, "Out")).gate",
                                         [.float("alpha", 1 / 6), .float("beta", 0.5)])
            context.graph.add("Mul", [x, gate], [try context.output(op, "Out")])
        default:
            let lo = Float(op.float("min", default: -Double(Float.greatestFiniteMagnitude)))
            let hi = Float(op.float("max", default: Double(Float.greatestFiniteMagnitude)))
            let low = context.graph.scalar(lo, name: "clip.\(lo)"), high = context.graph.scalar(hi, name: "clip.\(hi)")
            context.graph.add("Clip", [x, low, high], [try context.output(op, "Out")])
        }
    }
}
