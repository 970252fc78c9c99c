import SlimConfig

/// Builds the `LearningRate` section into a schedule, PaddleDetection style: the decays in
/// order, then a `!LinearWarmup` wrapping them. HAT-style epoch units (`milestone_epochs`,
/// warmup `epochs`) are converted with `itersPerEpoch` (`max_iters`).
public enum ScheduleFactory {
    public static func make(_ config: ModelConfig, itersPerEpoch: Int, totalIters: Int) throws -> LearningRate {
        let section = config.node("LearningRate")
        let values = NodeValues(node: section, path: "LearningRate")
        let baseLR = try values.double("base_lr", 0.01)
        var schedulers: [any LRScheduler] = []
        for item in section?["schedulers"]?.items ?? [] {
            schedulers.append(try scheduler(item, itersPerEpoch: itersPerEpoch, totalIters: totalIters))
        }
        do {
            return try LearningRate(baseLR: baseLR, schedulers: schedulers)
        } catch {
            throw ConfigError("LearningRate: \(error)", at: section?.mark ?? SourceMark(file: config.path, line: 1, column: 1))
        }
    }

    static func scheduler(_ node: Node, itersPerEpoch: Int, totalIters: Int) throws -> any LRScheduler {
        let kind = node.objectType ?? ""
        let v = NodeValues(node: node, path: "LearningRate.schedulers.\(kind)")
        do {
            switch kind {
            case "PiecewiseDecay":
                let gamma = try v.double("gamma", 0.1), values = try v.doubles("values")
                if let epochs = try v.doubles("milestone_epochs") {
                    return try PiecewiseDecay(gamma: gamma, milestoneEpochs: epochs, itersPerEpoch: itersPerEpoch, values: values)
                }
                return try PiecewiseDecay(gamma: gamma, milestones: try v.ints("milestones") ?? [], values: values)
            case "LinearWarmup":
                let factor = try v.double("start_factor", 1.0 / 3.0)
                if let epochs = try v.optionalDouble("epochs") {
                    return try LinearWarmup(epochs: epochs, itersPerEpoch: itersPerEpoch, startFactor: factor)
                }
                return try LinearWarmup(steps: try v.int("steps", 500), startFactor: factor)
            case "CosineDecay":
                return try CosineDecay(maxIters: try v.int("max_iters", totalIters), minLR: try v.double("min_lr", 0))
            case "ExponentialDecay":
                return try ExponentialDecay(gamma: try v.double("gamma", 0.9), decaySteps: try v.int("decay_steps", 1000))
            default:
                throw ConfigError("unknown scheduler '\(kind)'", at: node.mark,
                                  notes: ["valid: PiecewiseDecay, LinearWarmup, CosineDecay, ExponentialDecay"])
            }
        } catch let error as ScheduleError {
            throw ConfigError("\(kind): \(error)", at: node.mark)
        }
    }
}
