import SlimTensor

/// What one op sees while it runs forward, and again during backward: its desc, the run's values,
/// the mode, the run's random generator, and a place to keep what backward needs.
public final class OpContext {
    public let op: OpDesc
    public let mode: ExecutionMode
    /// Values of this op's forward, by var name (inputs as read, outputs as written).
    var values = OpValues()
    /// Anything forward hands to backward (masks, workspaces, batch statistics, scales).
    public var saved: [String: Any] = [:]
    /// Gradients of this op's outputs (backward only), by var name.
    var outputGrads: [String: Tensor] = [:]
    /// Gradients this op produced for its inputs (backward only), by var name, accumulated.
    var inputGrads: [String: Tensor] = [:]
    /// Input var names whose gradient is wanted.
    var wantsGrad: Set<String> = []
    private let generatorBox: GeneratorBox
    private let memoBox: OpMemo

    init(op: OpDesc, mode: ExecutionMode, generator: GeneratorBox, memo: OpMemo = OpMemo()) {
        self.op = op
        self.mode = mode
        generatorBox = generator
        memoBox = memo
    }

    /// What this op derives from its desc alone (parsed attrs, geometry), made by `make` on the
    /// op's first run and kept by the executor for its later runs (train and eval). Nothing that
    /// depends on input values, shapes or the scope may go in it unless checked on every use.
    public func memo<T: AnyObject>(_ make: () throws -> T) rethrows -> T {
        if let lane {
            if let kept = memoBox.lanes[lane] as? T { return kept }
            let made = try ((memoBox.value as? LaneMemo)?.laneCopy() as? T) ?? make()
            memoBox.lanes[lane] = made
            return made
        }
        if let kept = memoBox.value as? T { return kept }
        let made = try make()
        memoBox.value = made
        return made
    }

    /// The lane of a lane recording this context runs in (`Executor.laneRecordings`), whose memos
    /// (and the primitives they keep) are its own; nil outside lanes.
    var lane: Int?

    /// Empties what one run put in the context (an eval-mode context is reused by the next run),
    /// but the inputs `kept` marks (one flag per input; empty: none), which the next run then
    /// need not give again (`RunSchedule.Step.constant`).
    func reset(keeping kept: [Bool] = []) {
        if kept.isEmpty { values.removeAll() } else { values.removeAll(keeping: kept) }
        if !saved.isEmpty { saved.removeAll(keepingCapacity: true) }
    }

    /// Whether input `position` (of `OpDesc.inputNames`) still holds the value a run gave it.
    func holdsInput(_ position: Int) -> Bool { values.holds(position) }

    /// Drops everything a train-mode run and its backward put in the context, once its backward
    /// ran: the gradients it produced are then held by the executor alone.
    func release() {
        values.removeAll()
        saved.removeAll()
        outputGrads.removeAll()
        inputGrads.removeAll()
    }

    /// The run's seeded generator (dropout masks and any other randomness).
    public var generator: SeededGenerator {
        get { generatorBox.value }
        set { generatorBox.value = newValue }
    }

    public var isTraining: Bool { mode == .train }

    // MARK: forward

    /// Whether input slot `slot` has a var at `index`.
    public func hasInput(_ slot: String, _ index: Int = 0) -> Bool { (op.inputs[slot]?.count ?? 0) > index }

    /// Whether output slot `slot` has a var at `index`.
    public func hasOutput(_ slot: String, _ index: Int = 0) -> Bool { (op.outputs[slot]?.count ?? 0) > index }

    /// The value of input `slot`[`index`].
    public func input(_ slot: String, _ index: Int = 0) throws -> Tensor {
        try value(of: try name(input: slot, index))
    }

    /// Where input `slot`[`index`] is in the values the executor hands this op (nil when the op
    /// has no such input): resolve it once (in the op's memo) and read it with `input(at:)`,
    /// which does no lookup by slot name.
    public func inputPosition(_ slot: String, _ index: Int = 0) -> InputPosition? {
        guard let names = op.inputs[slot], index < names.count else { return nil }
        let before = op.inputs.reduce(0) { $1.key < slot ? $0 + $1.value.count : $0 }
        return InputPosition(slot: slot, name: names[index], position: before + index)
    }

    /// The value of a resolved input (`inputPosition`).
    public func input(at input: InputPosition) throws -> Tensor {
        try values.value(input.name, at: input.position) ?? value(of: input.name)
    }

    /// The value of input `slot` at its resolved position, or looked up by slot name when the
    /// position is nil (a missing slot then throws the usual error).
    public func input(at input: InputPosition?, slot: String) throws -> Tensor {
        guard let input else { return try self.input(slot) }
        return try self.input(at: input)
    }

    /// The value of a resolved input, handed over: the context keeps no reference to it. In an
    /// eval-mode run the executor drops its own reference to a var before the op that reads it
    /// last, so the caller may then hold the only one and write over the bytes
    /// (`Tensor.makeBufferUnique` finds them unshared). Call it once, after any other read of the input.
    public func takeInput(at input: InputPosition) -> Tensor? {
        values.take(input.name, at: input.position)
    }

    /// All values of input slot `slot`.
    public func inputs(_ slot: String) throws -> [Tensor] {
        try (op.inputs[slot] ?? []).map { try value(of: $0) }
    }

    /// Writes output `slot`[`index`] (a missing optional output slot is ignored).
    public func setOutput(_ slot: String, _ index: Int = 0, _ value: Tensor) {
        guard let names = op.outputs[slot], index < names.count else { return }
        values[names[index]] = value
    }

    /// The value written to output `slot`[`index`] in forward.
    public func output(_ slot: String, _ index: Int = 0) throws -> Tensor {
        try value(of: try name(output: slot, index))
    }

    // MARK: backward

    /// The gradient of output `slot`[`index`], or nil when the loss does not depend on it.
    public func outputGrad(_ slot: String, _ index: Int = 0) -> Tensor? {
        guard let names = op.outputs[slot], index < names.count else { return nil }
        return outputGrads[names[index]]
    }

    /// The gradient of output `slot`[`index`], handed over: the context keeps no reference, so
    /// when the executor kept none either (the var has one writer) the tensor's bytes are held
    /// only by the caller, which may write its input gradient over them
    /// (`Tensor.updateElementsInPlace`). Call it once, instead of `outputGrad`.
    public func takeOutputGrad(_ slot: String, _ index: Int = 0) -> Tensor? {
        guard let names = op.outputs[slot], index < names.count else { return nil }
        return outputGrads.removeValue(forKey: names[index])
    }

    /// Whether the gradient of input `slot`[`index`] is needed.
    public func needsGrad(_ slot: String, _ index: Int = 0) -> Bool {
        guard let names = op.inputs[slot], index < names.count else { return false }
        return wantsGrad.contains(names[index])
    }

    /// Adds `grad` to the gradient of input `slot`[`index`] (ignored when not needed).
    public func addInputGrad(_ slot: String, _ index: Int = 0, _ grad: Tensor) {
        guard let names = op.inputs[slot], index < names.count, wantsGrad.contains(names[index]) else { return }
        let name = names[index]
        inputGrads[name] = inputGrads[name].map { Kernels.add($0, grad) } ?? grad
    }

    // MARK: helpers

    private func name(input slot: String, _ index: Int) throws -> String {
        guard let names = op.inputs[slot], index < names.count else {
            throw GraphError("op '\(op.type)' needs input slot '\(slot)'[\(index)], which is missing")
        }
        return names[index]
    }

    private func name(output slot: String, _ index: Int) throws -> String {
        guard let names = op.outputs[slot], index < names.count else {
            throw GraphError("op '\(op.type)' has no output slot '\(slot)'[\(index)]")
        }
        return names[index]
    }

    private func value(of name: String) throws -> Tensor {
        guard let v = values[name] else { throw GraphError("op '\(op.type)': var '\(name)' has no value") }
        return v
    }
}

/// An input var of an op and its index in `OpDesc.inputNames` (the order in which the executor
/// hands the op its inputs), from `OpContext.inputPosition`. (A class: ops pass it on every run,
/// and one reference is cheaper to pass than two strings.)
public final class InputPosition: Sendable {
    public let slot: String
    public let name: String
    public let position: Int

    init(slot: String, name: String, position: Int) {
        self.slot = slot
        self.name = name
        self.position = position
    }
}

/// The memo of one op of an executor's plan (`OpContext.memo`).
/// A memo that a lane of an inference replay starts from (`OpContext.lane`): a copy sharing what
/// does not depend on the primitives (weights folded and packed), so lanes hold one copy of them.
public protocol LaneMemo: AnyObject {
    func laneCopy() -> AnyObject
}

final class OpMemo {
    var value: AnyObject?
    /// What the op keeps in each lane of a lane recording (`OpContext.lane`).
    var lanes: [Int: AnyObject] = [:]
}

/// A generator shared by the op contexts of one executor.
final class GeneratorBox {
    var value: SeededGenerator
    init(_ value: SeededGenerator) { self.value = value }
}
