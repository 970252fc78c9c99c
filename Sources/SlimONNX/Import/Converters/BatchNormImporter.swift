import SlimGraph

/// `BatchNormalization` (inference form: running statistics) -> `batch_norm` with `is_test`.
enum BatchNormImporter: ImportConverter {
    static let opTypes = ["BatchNormalization"]

    static func convert(_ context: inout ImportContext) throws {
        guard context.node.int("training_mode", default: 0) == 0, context.node.output.dropFirst().allSatisfy(\.isEmpty) else {
            throw context.unsupported("training mode (running statistics as outputs)")
        }
        let x = try context.variable(0)
        for (i, role) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")] { _ = try context.requireConstant(i, role) }
        let scale = try context.variable(1), bias = try context.variable(2), mean = try context.variable(3), variance = try context.variable(4)
        let out = try context.output()
        let savedMean = context.temporary("\(out).saved_mean"), savedVariance = context.temporary("\(out).saved_variance")
        try context.emit("batch_norm", ["X": [x], "Scale": [scale], "Bias": [bias], "Mean": [mean], "Variance": [variance]],
                         ["Y": [out], "MeanOut": [mean], "VarianceOut": [variance], "SavedMean": [savedMean], "SavedVariance": [savedVariance]],
                         ["epsilon": .float(Double(context.node.float("epsilon", default: 1e-5))),
                          "momentum": .float(Double(context.node.float("momentum", default: 0.9))), "is_test": .bool(true)])
    }
}
