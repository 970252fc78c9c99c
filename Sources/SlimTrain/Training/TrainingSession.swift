import SlimGraph
import SlimTensor

/// The mutable state of a training run: the program and its executor, the scope of
/// persistables (weights, statistics, quantization state), the optimizer and its state, the
/// schedule and the global step. `slim train` and the compressor both drive one.
public final class TrainingSession {
    public private(set) var program: Program
    public private(set) var executor: Executor
    public let scope: Scope
    /// The model's feeds, loss, outputs and metric.
    public let interface: ModelInterface
    /// Every feed's name: what a training batch provides.
    private let feedNames: [String]
    public var optimizerState: [String: Tensor] = [:]
    /// Iterations done so far (the schedule's step).
    public var step = 0
    public let optimizer: any Optimizer
    public let schedule: any LRSchedule
    /// A detector's metric when not its own (`metric: COCO`), and VOC's `map_type`.
    public var metricKind: MetricKind?
    public var mapType: VOCMeanAP.MapType = .elevenPoint
    /// Under `mpirun`: averages each step's gradients over the ranks (`distribute(config:log:)`).
    public var gradientAllreduce: GradientAllreduce?
    /// Feeds a training step adds to its batch's, computed from them (a distillation teacher's
    /// feature maps from the image); nil: none.
    public var extraFeeds: (([String: Tensor]) throws -> [String: Tensor])?

    public init(model: BuiltModel, optimizer: any Optimizer, schedule: any LRSchedule, seed: UInt64) throws {
        program = model.program
        scope = Scope(model.params)
        interface = model.interface
        feedNames = model.interface.feeds.map(\.name)
        self.optimizer = optimizer
        self.schedule = schedule
        executor = try Executor(program: model.program, seed: seed)
        executor.resizableFeeds = [interface.image]
    }

    /// The program pruned to the model's inference feeds and outputs, with the persistables it
    /// reads: the eval model of a checkpoint, `slim train`'s saved models.
    public func inferenceModel() throws -> (program: Program, params: [String: Tensor]) {
        let inference = try program.pruned(feeds: interface.inferenceFeeds, fetches: interface.outputVars)
        return (inference, scope.tensors.filter { inference.variable($0.key)?.persistable == true })
    }

    /// Replaces the program (e.g. after a quantization transform) keeping the executor's generator.
    public func setProgram(_ newProgram: Program) throws {
        let generator = executor.generator
        executor = try Executor(program: newProgram)
        executor.generator = generator
        executor.resizableFeeds = [interface.image]
        program = newProgram
    }

    /// The classes of a classifier (the last dim of its output): labels must be in `0..<classes`.
    public var classes: Int { program.variable(interface.output)?.shape.last ?? 0 }

    /// The learning rate of the next step.
    public var currentLR: Double { schedule.lr(at: step) }

    /// One optimisation step on `batch` (its tensors fed by name, a classifier's labels checked
    /// first): forward in train mode, backward, optimizer update.
    /// - Returns: the batch's loss and the learning rate used.
    public func trainBatch(_ batch: Batch) throws -> (loss: Double, lr: Double) {
        if interface.classifier != nil { try batch.checkLabels(classes: classes) }
        let lr = currentLR
        let loss = interface.loss
        var feeds = try batch.feeds(feedNames, pictures: interface.image)
        if let extraFeeds { feeds.merge(try extraFeeds(feeds)) { own, _ in own } }
        let fetched = try executor.run(feeds: feeds, scope: scope, mode: .train, fetches: [loss])
        var grads = try executor.backward(loss: loss)
        var value = Double(fetched[loss]!.floats[0])
        if let gradientAllreduce { value = gradientAllreduce.reduce(grads: &grads, loss: value, program: program, scope: scope) }
        var params = scope.tensors
        optimizer.step(params: &params, grads: grads, state: &optimizerState, lr: Float(lr))
        for name in grads.keys { scope.tensors[name] = params[name] }
        step += 1
        guard value.isFinite else {
            throw GraphError("the loss became \(value) at step \(step)", hints: ["lower LearningRate.base_lr or check the data", "SLIM_CHECK_NAN_INF=1 names the first op that writes a NaN or an infinity"])
        }
        return (value, lr)
    }

    /// Evaluates the current weights on `reader` with the model's metric (eval mode: running
    /// statistics, stored scales).
    public func evaluate(_ reader: ReaderSpec, onBatch: ((Int, Int) -> Void)? = nil) throws -> EvalResult {
        try interface.evaluator(executor, kind: metricKind, mapType: mapType).evaluate(reader, scope: scope, onBatch: onBatch)
    }

    /// Copies every tensor of `params` whose name and shape match a persistable of the program.
    /// - Returns: the names loaded.
    @discardableResult
    public func load(params: [String: Tensor]) -> [String] {
        var loaded: [String] = []
        for v in program.persistables {
            guard let t = params[v.name], t.shape == scope.tensors[v.name]?.shape, t.dtype == v.dtype else { continue }
            scope.tensors[v.name] = t
            loaded.append(v.name)
        }
        return loaded
    }

    /// The generator behind dropout masks (checkpointed for exact resume).
    public var generator: SeededGenerator {
        get { executor.generator }
        set { executor.generator = newValue }
    }
}
