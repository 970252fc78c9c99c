import Foundation
import SlimTensor

/// Runs a program forward, and in training backward by reverse-mode differentiation over the
/// ops recorded in the last train-mode run (no grad ops are stored in the program).
///
/// Persistable outputs (batch-norm running statistics, quantization scales) are written back to
/// the scope; everything else lives only for the run. Not thread-safe: one run at a time (oneDNN
/// parallelises inside each kernel).
///
/// Runs execute the program's ops with conv + bias add and batch norm + relu pairs fused
/// (`OpFusion`); eval-mode runs also fold batch norms into the convolutions before them and fuse
/// activations into convolutions (`OpFusion+Inference`). A run fetching a var between two fused
/// ops runs the ops as written.
public final class Executor {
    public let program: Program
    private let written: ExecutionPlan
    private let fused: ExecutionPlan
    /// `fused` plus the eval-only fusions.
    private let inference: ExecutionPlan
    private let generatorBox: GeneratorBox
    private var tape: [(op: any Operator.Type, context: OpContext)] = []
    /// Schedules whose eval contexts may keep constant inputs (`dropKeptConstants`).
    private var keepingSchedules: [RunSchedule] = []
    /// Feeds whose last two dims (an image's H and W) may differ from the declared ones, as
    /// Paddle's `fluid.layers.data` feeds are not shape-checked: a batch transform such as
    /// `RandomShape` resizes a detector's images per batch, and every op computes its shapes
    /// from its actual inputs.
    public var resizableFeeds: Set<String> = []
    /// When set, every op's forward and backward time is added to it (per op type).
    public var profile: OpProfile?
    /// Eval runs replay the oneDNN calls of an earlier run (`PrimitiveRecording`) instead of
    /// running the ops, when every op of the run works on primitives (`Operator.runsOnPrimitives`,
    /// no persistable output) and nothing else changed: the same fetches, the same feed names,
    /// shapes and types, the scope unchanged. The first such run runs the ops; the second runs
    /// them on other input values (each feed's elements reversed), then records them on its own,
    /// replays the recording on the other values and compares the outputs bit for bit; later runs
    /// replay. A check that fails, or ops that cannot be replayed, run the ops from then on.
    /// Results are copies (the next replay rewrites the recorded buffers). Off for profiled runs
    /// and under `NonFiniteCheck`.
    public var replaysInference = false
    private var replay: InferenceReplay?
    /// Eval runs answered by a replay (`replaysInference`).
    public private(set) var replayedRuns = 0
    /// Of those, the runs replayed in lanes, the batch cut in one slice per OpenMP thread, each
    /// replayed on its own thread at once (`PrimitiveRecording.replayLanes`).
    public private(set) var laneReplayedRuns = 0
    /// Bytes each replay copies between buffers (`PrimitiveRecording.copiedBytes`, all lanes
    /// together); nil before a recording passed its check.
    public var replayCopiedBytes: Int? {
        guard let replay else { return nil }
        if let lanes = replay.lanes { return lanes.reduce(0) { $0 + $1.copiedBytes } }
        return replay.recording?.copiedBytes
    }

    /// Verifies `program` against `registry` and prepares to run it.
    /// - Parameter seed: the root of the run's randomness (dropout); see `generator`.
    public init(program: Program, registry: OpRegistry = .shared, seed: UInt64 = 0) throws {
        try program.verify(registry: registry)
        self.program = program
        written = try ExecutionPlan(ops: program.ops, registry: registry)
        let fusion = OpFusion(program, registry: registry)
        fused = fusion.removed.isEmpty ? written : try ExecutionPlan(ops: fusion.ops, removed: fusion.removed, registry: registry)
        let evalFusion = OpFusion(program, registry: registry, inference: true)
        inference = evalFusion.removed == fusion.removed ? fused
            : try ExecutionPlan(ops: evalFusion.ops, removed: evalFusion.removed, registry: registry)
        generatorBox = GeneratorBox(SeededGenerator(seed: seed))
    }

    /// The generator ops draw from; save and restore it to make resumed runs bit-identical.
    public var generator: SeededGenerator {
        get { generatorBox.value }
        set { generatorBox.value = newValue }
    }

    /// Runs the ops needed for `fetches` (default: the program's fetches).
    ///
    /// - Parameters:
    ///   - feeds: values of feed vars (shape checked against the var's, `-1` matching any size).
    ///   - scope: persistable values; persistable outputs are written back to it.
    ///   - mode: `.train` records a tape for `backward`; `.eval` keeps nothing.
    /// - Returns: the fetched values.
    /// - Throws: `GraphError` for a missing feed or value, a wrong feed shape, or an op failure.
    @discardableResult
    public func run(feeds: [String: Tensor], scope: Scope, mode: ExecutionMode, fetches: [String]? = nil) throws -> [String: Tensor] {
        let wanted = fetches ?? program.fetches
        try checkFeeds(feeds)
        if replaysInference && mode == .eval && profile == nil && !NonFiniteCheck.enabled {
            return try replayed(feeds: feeds, scope: scope, wanted: wanted)
        }
        return try runOps(feeds: feeds, scope: scope, mode: mode, wanted: wanted)
    }

    /// The schedule of the ops a run computes `wanted` with.
    private func schedule(feeds: [String: Tensor], scope: Scope, mode: ExecutionMode, wanted: [String]) throws -> RunSchedule {
        let plan = mode == .eval && inference.removed.isDisjoint(with: wanted) ? inference
            : fused.removed.isDisjoint(with: wanted) ? fused : written
        return try plan.schedule(for: wanted, available: { Set(feeds.keys).union(scope.tensors.keys) }, program: program)
    }

    /// An eval run through `replay` (`replaysInference`).
    private func replayed(feeds: [String: Tensor], scope: Scope, wanted: [String]) throws -> [String: Tensor] {
        let names = feeds.keys.sorted()
        let inputs = names.map { feeds[$0]! }
        let key = InferenceReplay.Key(fetches: wanted, feeds: names, shapes: inputs.map(\.shape), types: inputs.map(\.dtype),
                                      scope: scope.identity, version: scope.version)
        if replay?.key != key { replay = InferenceReplay(key: key) }
        let state = replay!
        if let lanes = state.lanes, PrimitiveRecording.replayLanes(lanes, inputs: inputs), let outputs = PrimitiveRecording.stackedOutputs(lanes) {
            replayedRuns += 1
            laneReplayedRuns += 1
            return state.results(outputs)
        }
        if let recording = state.recording, recording.replay(inputs: inputs) {
            replayedRuns += 1
            return state.results(recording.outputCopies())
        }
        state.runs += 1
        guard state.runs == 2, inputs.allSatisfy(\.isPlain), Set(wanted).count == wanted.count else {
            return try runOps(feeds: feeds, scope: scope, mode: .eval, wanted: wanted)
        }
        let steps = try schedule(feeds: feeds, scope: scope, mode: .eval, wanted: wanted)
        guard steps.steps.allSatisfy({ $0.implementation.runsOnPrimitives($0.op) && !$0.persistable.contains(true) }),
              !feeds.keys.contains(where: { steps.slotOf[$0].map(steps.constantSlots.contains) ?? false }) else {
            return try runOps(feeds: feeds, scope: scope, mode: .eval, wanted: wanted)
        }
        // The check's reference first (its buffers go back to the pool for the recorded run to
        // take): the ops on other values, each feed's elements reversed.
        let other = inputs.map(\.reversedElements)
        let expected = try runOps(feeds: Dictionary(uniqueKeysWithValues: zip(names, other)), scope: scope, mode: .eval, wanted: wanted)
        if let (lanes, outputs) = try laneRecordings(names: names, inputs: inputs, other: other, expected: expected, scope: scope, wanted: wanted) {
            state.lanes = lanes
            return state.results(outputs)
        }
        // The recorded run reads copies of the feeds, which later replays refill (never the caller's).
        let owned = inputs.map { $0.detachedCopy() }
        let recording = PrimitiveRecording(inputs: owned)
        guard let result = try recording.record({
            try runOps(feeds: Dictionary(uniqueKeysWithValues: zip(names, owned)), scope: scope, mode: .eval, wanted: wanted)
        }) else {
            state.runs = 1
            return try runOps(feeds: feeds, scope: scope, mode: .eval, wanted: wanted)
        }
        recording.keepOutputs(wanted.map { result[$0]! })
        let outputs = recording.outputCopies()
        // The check: the replay on the other values gives the ops' outputs bit for bit.
        if recording.replay(inputs: other), zip(wanted, recording.outputCopies()).allSatisfy({ expected[$0.0]!.hasSameBytes(as: $0.1) }) {
            state.recording = recording
        }
        return state.results(outputs)
    }

    /// The run recorded in lanes, one per OpenMP thread, each on a slice of the batch (the rows of
    /// every feed, in order) with single-threaded primitives of its own, and the lanes' outputs on
    /// `inputs`; nil when lanes do not apply or fail the check. They apply to batches of at least
    /// `laneRows` rows per thread whose fetches are plain with the batch as first dimension. Each
    /// lane first runs its ops unrecorded on its slice of `other` (creating its primitives and
    /// packing constants, which a replay must not redo; the outputs are its reference), then
    /// records them on its slice of `inputs`.
    ///
    /// The check, on `other`: each lane replayed side by side with the others must give its
    /// reference bit for bit, and the lanes together must give `expected` (the whole batch's ops)
    /// bit for bit or within rounding (`agreesToRounding`): a kernel may sum in another order for
    /// a slice on one thread than for the whole batch on more (a small matmul splits its sums over
    /// threads), but an op that mixes images (a reshape across the batch) gives other values, and
    /// keeps the whole-batch recording.
    private func laneRecordings(names: [String], inputs: [Tensor], other: [Tensor], expected: [String: Tensor], scope: Scope,
                                wanted: [String]) throws -> ([PrimitiveRecording], [Tensor])? {
        guard Self.lanesAllowed, let threads = Kernels.threads, threads > 1, let batch = inputs.first?.shape.first,
              batch >= threads * Self.laneRows, inputs.allSatisfy({ $0.shape.first == batch }),
              wanted.allSatisfy({ expected[$0].map { $0.isPlain && $0.shape.first == batch } ?? false }) else { return nil }
        // The whole batch's buffers, pooled by the reference run, are not the lanes' sizes.
        Kernels.freePooledBuffers()
        var slices: [Range<Int>] = []
        for lane in 0..<threads {
            let start = slices.last?.upperBound ?? 0
            slices.append(start..<(start + batch / threads + (lane < batch % threads ? 1 : 0)))
        }
        func feeds(_ values: [Tensor], _ lane: Int) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: zip(names, values.map { Kernels.slice($0, axis: 0, range: slices[lane]).detachedCopy() }))
        }
        // Each lane's ops on its slice of the check's input, unrecorded: the reference of its
        // replay, and the run that creates its primitives and packs its constants.
        var references: [[String: Tensor]] = []
        for lane in slices.indices {
            references.append(try inLane(lane) { try runOps(feeds: feeds(other, lane), scope: scope, mode: .eval, wanted: wanted) })
        }
        var lanes: [PrimitiveRecording] = []
        for lane in slices.indices {
            let run = feeds(inputs, lane)
            let recording = PrimitiveRecording(inputs: names.map { run[$0]! })
            guard let result = try inLane(lane, { try recording.record { try runOps(feeds: run, scope: scope, mode: .eval, wanted: wanted) } }) else {
                return nil
            }
            recording.keepOutputs(wanted.map { result[$0]! })
            lanes.append(recording)
        }
        guard PrimitiveRecording.canReplayTogether(lanes), let outputs = PrimitiveRecording.stackedOutputs(lanes),
              PrimitiveRecording.replayLanes(lanes, inputs: other), let replayed = PrimitiveRecording.stackedOutputs(lanes) else { return nil }
        for (lane, range) in slices.enumerated() {
            let rows = zip(wanted, replayed).map { ($0, Kernels.slice($1, axis: 0, range: range)) }
            guard rows.allSatisfy({ references[lane][$0.0]!.hasSameBytes(as: $0.1) }) else { return nil }
        }
        guard zip(wanted, replayed).allSatisfy({ expected[$0.0]!.hasSameBytes(as: $0.1) || expected[$0.0]!.agreesToRounding($0.1) }) else {
            return nil
        }
        return (lanes, outputs)
    }

    /// `body` run as lane `lane` (`laneRecordings`): the ops' memos and the primitives they create
    /// are the lane's own, made for one thread.
    private func inLane<R>(_ lane: Int, _ body: () throws -> R) throws -> R {
        runningLane = lane
        defer { runningLane = nil }
        return try PrimitiveCache.shared.inLane(lane, body)
    }

    /// The lane `laneRecordings` is running the ops in (each op's memo keeps a lane's primitives apart).
    private var runningLane: Int?

    /// The fewest rows per OpenMP thread a batch needs to run in lanes (`laneRecordings`).
    static let laneRows = 8

    /// False when `SLIM_LANES=0`: batches replay whole (their bits then those of the whole batch's
    /// ops on all threads, not of each slice's on one).
    static let lanesAllowed = ProcessInfo.processInfo.environment["SLIM_LANES"] != "0"

    /// Runs the ops of the schedule for `wanted`.
    private func runOps(feeds: [String: Tensor], scope: Scope, mode: ExecutionMode, wanted: [String]) throws -> [String: Tensor] {
        tape.removeAll()
        let schedule = try schedule(feeds: feeds, scope: scope, mode: mode, wanted: wanted)
        var env = [Tensor?](repeating: nil, count: schedule.slotCount)
        var fedConstant = false
        for (name, t) in feeds {
            guard let slot = schedule.slotOf[name] else { continue }
            env[slot] = t
            if schedule.constantSlots.contains(slot) { fedConstant = true }
        }
        schedule.noteScope(scope)
        // Eval runs keep the constant inputs (weights) in their reused contexts from one run to
        // the next while the scope is unchanged; a train run first drops what they keep.
        let keep = mode == .eval && !fedConstant
        let reuse = keep && schedule.keepsConstants(for: scope)
        schedule.keptScope = nil
        if mode == .train { dropKeptConstants() }
        if mode == .eval && schedule.evalContexts.isEmpty {
            schedule.evalContexts = schedule.steps.map { OpContext(op: $0.op, mode: .eval, generator: generatorBox, memo: $0.memo) }
        }
        if keep && !keepingSchedules.contains(where: { $0 === schedule }) { keepingSchedules.append(schedule) }
        let steps = schedule.steps
        for k in steps.indices {
            let step = steps[k]
            let context = mode == .eval ? schedule.evalContexts[k]
                : OpContext(op: step.op, mode: mode, generator: generatorBox, memo: step.memo)
            context.lane = runningLane
            defer { if mode == .eval { context.reset(keeping: keep ? step.constant : []) } }
            for position in step.inputs.indices {
                if reuse && step.constant[position] && context.holdsInput(position) { continue }
                guard let t = schedule.value(step.inputs[position], &env, scope) else {
                    throw GraphError("op #\(step.index) '\(step.op.type)' reads var '\(step.inputs[position].name)', which has no value",
                                     hints: ["feed it, load it into the scope, or compute it in an earlier op"])
                }
                context.values.setInput(position, step.inputs[position].name, t)
            }
            // Vars this step reads last are dropped now: the op's context holds the only
            // reference the run keeps, which an op may take over (`OpContext.takeInput`).
            if mode == .eval { for slot in step.releasedInputs { env[slot] = nil } }
            if let profile {
                try profile.measure(step.op.type, .forward) { try step.implementation.forward(context) }
            } else {
                try step.implementation.forward(context)
            }
            for j in step.outputs.indices {
                guard let t = context.values.output(step.outputs[j].name, inputs: step.inputs.count) else { continue }
                if NonFiniteCheck.enabled {
                    try NonFiniteCheck.check(t, name: step.outputs[j].name, op: step.op.type, index: step.index, pass: "forward")
                }
                if step.persistable[j] { scope.tensors[step.outputs[j].name] = t }
                env[step.outputs[j].slot] = consume t
            }
            if mode == .train {
                tape.append((step.implementation, context))
            } else {
                for slot in step.releases { env[slot] = nil }
            }
        }
        var result: [String: Tensor] = [:]
        for v in schedule.fetches {
            guard let t = schedule.value(v, &env, scope) else { throw GraphError("fetch '\(v.name)' was not computed") }
            result[v.name] = t
        }
        if keep { schedule.keptScope = (scope.identity, scope.version) }
        return result
    }

    /// Empties the constant inputs that eval runs' contexts keep (`RunSchedule.keptScope`), so
    /// that the scope's tensors have no other holder while a train step and its optimizer update
    /// them (in place when nothing else holds their bytes).
    func dropKeptConstants() {
        for schedule in keepingSchedules { schedule.dropKeptConstants() }
        keepingSchedules.removeAll()
    }

    /// Gradients of `loss` (a scalar or any shape, seeded with ones) with respect to every
    /// trainable persistable var that it depends on, from the last train-mode run.
    public func backward(loss: String) throws -> [String: Tensor] {
        guard !tape.isEmpty else { throw GraphError("backward needs a preceding run in train mode") }
        guard let lossValue = tape.lazy.compactMap({ $0.context.values[loss] }).last else {
            throw GraphError("loss var '\(loss)' was not computed by the last run")
        }
        let requires = varsRequiringGrad()
        let handedOver = varsWrittenOnce()
        var grads: [String: Tensor] = [loss: Tensor.filled(1, shape: lossValue.shape)]
        for (op, context) in tape.reversed() {
            let outs = context.op.outputNames.filter { grads[$0] != nil }
            guard !outs.isEmpty else { continue }
            let wants = Set(context.op.inputNames.filter { requires.contains($0) })
            guard !wants.isEmpty else { continue }
            for name in outs {
                context.outputGrads[name] = handedOver.contains(name) ? grads.removeValue(forKey: name) : grads[name]
            }
            context.wantsGrad = wants
            if let profile {
                try profile.measure(context.op.type, .backward) { try op.backward(context) }
            } else {
                try op.backward(context)
            }
            let produced = context.inputGrads
            context.release()
            for (name, g) in produced {
                if NonFiniteCheck.enabled { try NonFiniteCheck.check(g, name: name + "@GRAD", op: context.op.type, pass: "backward") }
                guard let sum = grads[name] else { grads[name] = g; continue }
                grads[name] = profile.map { p in p.measureGradientSum { Kernels.add(sum, g) } } ?? Kernels.add(sum, g)
            }
        }
        tape.removeAll()
        let trainable = Set(program.trainables.map(\.name))
        return grads.filter { trainable.contains($0.key) }
    }

    /// Vars written by exactly one recorded op, none of them trainable: once that op's backward
    /// has their gradient, nothing else reads it, so the executor hands it over (the op may reuse
    /// its bytes, `OpContext.takeOutputGrad`).
    private func varsWrittenOnce() -> Set<String> {
        var writers: [String: Int] = [:]
        for (_, context) in tape { for name in context.op.outputNames { writers[name, default: 0] += 1 } }
        let trainable = Set(program.trainables.map(\.name))
        return Set(writers.compactMap { $0.value == 1 && !trainable.contains($0.key) ? $0.key : nil })
    }

    /// Vars that depend on a trainable var through the recorded ops.
    private func varsRequiringGrad() -> Set<String> {
        var requires = Set(program.trainables.map(\.name))
        for (_, context) in tape where context.op.inputNames.contains(where: requires.contains) {
            requires.formUnion(context.op.outputNames)
        }
        return requires
    }

    private func checkFeeds(_ feeds: [String: Tensor]) throws {
        for (name, value) in feeds {
            guard let v = program.variable(name) else {
                throw GraphError("feed '\(name)' is not a var of the program", hints: ["the program feeds \(program.feeds)"])
            }
            let fixed = resizableFeeds.contains(name) ? max(v.shape.count - 2, 0) : v.shape.count
            let matches = v.shape.count == value.shape.count
                && zip(v.shape, value.shape).prefix(fixed).allSatisfy { $0 == -1 || $0 == $1 } && value.shape.dropFirst(fixed).allSatisfy { $0 > 0 }
            guard matches, v.dtype == value.dtype else {
                throw GraphError("feed '\(name)' is \(value.dtype)\(value.shape), the program expects \(v.dtype)\(v.shape)")
            }
        }
    }
}

/// What `Executor.replaysInference` knows about eval runs of one kind (`Key`): how many ran, and
/// the recording that replays them once one was recorded and checked.
private final class InferenceReplay {
    struct Key: Equatable {
        let fetches: [String]
        let feeds: [String]
        let shapes: [[Int]]
        let types: [DType]
        let scope: Int
        let version: Int
    }

    let key: Key
    var runs = 0
    var recording: PrimitiveRecording?
    /// Lane recordings replayed side by side (`Executor.laneRecordings`), when the run has them.
    var lanes: [PrimitiveRecording]?

    init(key: Key) { self.key = key }

    /// The fetches' values by name.
    func results(_ values: [Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, value) in zip(key.fetches, values) { result[name] = value }
        return result
    }
}

private extension Tensor {
    /// The same shape and type, the elements in reverse order (plain).
    var reversedElements: Tensor {
        var t = Tensor(shape: shape, dtype: dtype)
        let size = dtype.byteSize, n = count
        withUnsafeBytes { source in
            t.withUnsafeMutableBytes { target in
                for i in 0..<n {
                    let from = (n - 1 - i) * size
                    for b in 0..<size { target[i * size + b] = source[from + b] }
                }
            }
        }
        return t
    }

    /// Whether `other` (same shape, f32) holds this tensor's values up to the rounding of sums
    /// taken in another order: every element within 1e-4 of the largest magnitude here (at least
    /// 1). Other types must match bit for bit.
    func agreesToRounding(_ other: Tensor) -> Bool {
        guard dtype == .f32, other.dtype == .f32, shape == other.shape else { return hasSameBytes(as: other) }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in
                let x = a.bindMemory(to: Float.self), y = b.bindMemory(to: Float.self)
                let tolerance = 1e-4 * max(1, x.reduce(0) { max($0, abs($1)) })
                return zip(x, y).allSatisfy { abs($0 - $1) <= tolerance }
            }
        }
    }

    /// Whether both hold the same elements, bit for bit.
    func hasSameBytes(as other: Tensor) -> Bool {
        shape == other.shape && dtype == other.dtype
            && withUnsafeBytes { a in other.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }
}
