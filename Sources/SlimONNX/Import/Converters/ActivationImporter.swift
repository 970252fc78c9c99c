import SlimGraph

/// One-input activations: `Relu` -> `relu`, `LeakyRelu` -> `leaky_relu`, `Sigmoid` ->
/// `sigmoid`, `Tanh` -> `tanh`, `HardSigmoid` -> `hard_sigmoid` (`slope` = alpha, `offset` =
/// beta), `HardSwish` -> `hard_swish`.
enum ActivationImporter: ImportConverter {
    static let opTypes = ["Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), node = context.node
        switch node.opType {
        case "Relu": try context.emitUnary("relu", x)
        case "LeakyRelu": try context.emitUnary("leaky_relu", x, ["alpha": .float(Double(node.float("alpha", default: 0.01)))])
        case "Sigmoid": try context.emitUnary("sigmoid", x)
        case "Tanh": try context.emitUnary("tanh", x)
        case "HardSigmoid":
            try context.emitUnary("hard_sigmoid", x, ["slope": .float(Double(node.float("alpha", default: 0.2))),
                                                      "offset": .float(Double(node.float("beta", default: 0.5)))])
        default: try context.emitUnary("hard_swish", x)
        }
    }
}
