import SlimConfig

/// Builds `OptimizerBuilder` (`optimizer:` by `type:` or tag, `regularizer:` L2) into an
/// optimizer. L2 decay skips batch-norm parameters and biases, as PaddleDetection's configs do.
public enum OptimizerFactory {
    public static func make(_ config: ModelConfig) throws -> any Optimizer {
        let section = config.node("OptimizerBuilder")
        let opt = section?["optimizer"]
        let v = NodeValues(node: opt, path: "OptimizerBuilder.optimizer")
        let regularization = try l2(section?["regularizer"])
        switch opt?.objectType ?? "Momentum" {
        case "SGD": return SGD(regularization: regularization)
        case "Momentum":
            return Momentum(momentum: Float(try v.double("momentum", 0.9)), useNesterov: try v.bool("use_nesterov", false),
                            regularization: regularization)
        case "Adam":
            return Adam(beta1: Float(try v.double("beta1", 0.9)), beta2: Float(try v.double("beta2", 0.999)),
                        epsilon: Float(try v.double("epsilon", 1e-8)), regularization: regularization)
        case "AdamW":
            return AdamW(beta1: Float(try v.double("beta1", 0.9)), beta2: Float(try v.double("beta2", 0.999)),
                         epsilon: Float(try v.double("epsilon", 1e-8)), weightDecay: Float(try v.double("weight_decay", 0.01)))
        case let other:
            throw ConfigError("unknown optimizer '\(other)'", at: opt?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: ["valid: SGD, Momentum, Adam, AdamW"])
        }
    }

    static func l2(_ node: Node?) throws -> L2Decay? {
        guard let node, node.scalarValue != .null || node.isMapping else { return nil }
        let factor = try NodeValues(node: node, path: "OptimizerBuilder.regularizer").double("factor", 0.0001)
        return L2Decay.excluding(["batch_norm", ".b_0"], factor: Float(factor))
    }
}
