import SlimTensor

/// The ops one fetch list needs, resolved once so that a run does no name lookups of its own:
/// every var the run touches has a slot number, and each step lists its op's input and output
/// vars as (name, slot) in the order the op reads and writes them (`OpDesc.inputNames` /
/// `outputNames`), with which outputs are persistable.
///
/// A run keeps values in an array of slots. A slot starts with its feed, if any, and is filled by
/// the step that writes it, or on first read from the scope: what a dictionary of
/// scope + feeds + outputs holds.
final class RunSchedule {
    struct Var {
        let name: String
        let slot: Int
    }

    /// One op of the run (a class: a run reads its fields without copying them).
    final class Step {
        /// Index of the op in the plan.
        let index: Int
        let op: OpDesc
        let implementation: any Operator.Type
        let memo: OpMemo
        let inputs: [Var]
        let outputs: [Var]
        /// Per output: whether its var is persistable (written back to the scope).
        let persistable: [Bool]
        /// Per input: whether its var is one no step of the schedule writes and the program does
        /// not declare as a feed (a weight, a batch norm's statistics). An eval-mode context keeps these
        /// inputs from one run to the next while the scope is unchanged (`keptScope`).
        fileprivate(set) var constant: [Bool] = []
        /// Slots no later step reads and the run does not fetch: an eval-mode run drops their
        /// values after this step, so an activation's buffer is freed once its last reader ran.
        fileprivate(set) var releases: [Int] = []
        /// The slots of `releases` that are inputs of this step.
        fileprivate(set) var releasedInputs: [Int] = []

        init(index: Int, op: OpDesc, implementation: any Operator.Type, memo: OpMemo, inputs: [Var], outputs: [Var], persistable: [Bool]) {
            self.index = index
            self.op = op
            self.implementation = implementation
            self.memo = memo
            self.inputs = inputs
            self.outputs = outputs
            self.persistable = persistable
        }
    }

    let steps: [Step]
    let fetches: [Var]
    let slotCount: Int
    /// The slot of each var the run touches.
    let slotOf: [String: Int]
    /// Contexts of the steps, reused by eval-mode runs (train-mode runs make new ones: the tape keeps them).
    var evalContexts: [OpContext] = []
    /// Slots of the constant inputs (`Step.constant`).
    let constantSlots: Set<Int>
    /// The scope (identity, version) of the last eval-mode run that completed without feeding a
    /// constant input: while the scope is the same, `evalContexts` hold the values of its constant
    /// inputs, and the next eval run does not read them again. nil: the contexts hold none.
    var keptScope: (identity: Int, version: Int)?
    /// Per slot: where a run found its value in the scope's `tensors`, valid for the scope and
    /// version noted (`noteScope`), so that later runs on the unchanged scope hash no names.
    private var scopeIndices: [Dictionary<String, Tensor>.Index?]
    private var scopeIdentity = 0
    private var scopeVersion = 0

    init(plan: ExecutionPlan, ops: [Int], fetches: [String], program: Program) {
        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Var {
            if let s = slots[name] { return Var(name: name, slot: s) }
            slots[name] = slots.count
            return Var(name: name, slot: slots.count - 1)
        }
        steps = ops.map { i in
            let op = plan.ops[i], outputs = op.outputNames.map(slot)
            return Step(index: i, op: op, implementation: plan.implementations[i], memo: plan.memos[i],
                        inputs: op.inputNames.map(slot), outputs: outputs,
                        persistable: outputs.map { program.variable($0.name)?.persistable == true })
        }
        self.fetches = fetches.map(slot)
        slotCount = slots.count
        slotOf = slots
        scopeIndices = Array(repeating: nil, count: slots.count)
        Self.noteReleases(steps, keeping: Set(self.fetches.map(\.slot)), slotCount: slotCount)
        let varying = Set(steps.flatMap { $0.outputs.map(\.slot) } + program.feeds.compactMap { slots[$0] })
        for step in steps { step.constant = step.inputs.map { !varying.contains($0.slot) } }
        constantSlots = Set(steps.flatMap { $0.inputs.map(\.slot) }).subtracting(varying)
    }

    /// Whether the eval contexts hold constant inputs a run on `scope` may use as they are.
    func keepsConstants(for scope: Scope) -> Bool {
        guard let keptScope else { return false }
        return keptScope.identity == scope.identity && keptScope.version == scope.version
    }

    /// Empties the constant inputs the eval contexts hold (so that they hold no reference to the
    /// scope's tensors while other runs or an optimizer update them).
    func dropKeptConstants() {
        keptScope = nil
        for context in evalContexts { context.reset() }
    }

    /// Starts a run on `scope`: forgets the scope indices unless they were taken from this scope
    /// in its current version.
    func noteScope(_ scope: Scope) {
        guard scope.identity != scopeIdentity || scope.version != scopeVersion else { return }
        for i in scopeIndices.indices { scopeIndices[i] = nil }
        scopeIdentity = scope.identity
        scopeVersion = scope.version
    }

    /// The value of `v` in a run: fed or written by an earlier step (in `env`), else in the scope
    /// (then kept in `env`). The scope is read through the slot's noted index while the scope has
    /// not changed since `noteScope` (a run writing persistable outputs changes it: its later
    /// reads look the names up).
    func value(_ v: Var, _ env: inout [Tensor?], _ scope: Scope) -> Tensor? {
        if let t = env[v.slot] { return t }
        let t: Tensor?
        if scope.version != scopeVersion || scope.identity != scopeIdentity {
            t = scope.tensors[v.name]
        } else if let i = scopeIndices[v.slot] {
            t = scope.tensors.values[i]
        } else if let i = scope.tensors.index(forKey: v.name) {
            scopeIndices[v.slot] = i
            t = scope.tensors.values[i]
        } else {
            t = nil
        }
        env[v.slot] = t
        return t
    }

    /// Sets each step's `releases`: the slots whose last use (read or write) is that step.
    private static func noteReleases(_ steps: [Step], keeping kept: Set<Int>, slotCount: Int) {
        var last = [Int?](repeating: nil, count: slotCount)
        for (k, step) in steps.enumerated() {
            for v in step.inputs { last[v.slot] = k }
            for v in step.outputs { last[v.slot] = k }
        }
        for (slot, k) in last.enumerated() {
            guard let k, !kept.contains(slot) else { continue }
            steps[k].releases.append(slot)
        }
        for step in steps { step.releasedInputs = step.inputs.map(\.slot).filter(step.releases.contains) }
    }
}
