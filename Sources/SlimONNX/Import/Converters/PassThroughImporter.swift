/// `Identity` and inference `Dropout`: the output is the input var (no slim op).
enum PassThroughImporter: ImportConverter {
    static let opTypes = ["Identity", "Dropout"]

    static func convert(_ context: inout ImportContext) throws {
        if context.node.opType == "Dropout" {
            if let training = context.constant(2), training.values.first != 0 { throw context.unsupported("training_mode = true") }
            if context.node.output.count > 1, !context.node.output[1].isEmpty { throw context.unsupported("the mask output") }
        }
        context.alias(0, to: try context.variable(0))
    }
}
