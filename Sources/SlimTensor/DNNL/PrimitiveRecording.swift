import CDNNL
import Foundation

/// The oneDNN primitive calls of one run, to run again on new input bytes without the code that
/// issued them: an inference step replayed (`Executor.replaysInference`).
///
/// While `record` runs its body, every primitive executed on the recording thread is noted with
/// its arguments (each on a memory of the recording's own, over the buffer the call used) and the
/// OpenMP thread count, and the objects that own those primitives are kept alive. The buffers the
/// calls touch stay this recording's: a tensor that releases one hands it over to `BufferPool`'s
/// hold instead of freeing it, so no other tensor is given those bytes while the recording lives
/// (within the recorded run, one released there may be handed out again, as the run itself would
/// reuse it). `replay` copies new input bytes into the recorded inputs' buffers and executes the
/// calls again, in order, on the same buffers: the same kernels on the same bytes, so the outputs
/// are bit for bit those of running the code again. Swift kernels that declare their buffers
/// (`host`, `Tensor.mapElements`) are recorded and run again too; other work outside primitives is
/// not: callers replay only runs of ops that declare it (`Operator.runsOnPrimitives`), and check a
/// replay against a run.
public final class PrimitiveRecording: @unchecked Sendable {
    private struct Argument {
        let memory: OpaquePointer
        let pointer: UnsafeMutableRawPointer?
        let padded: Bool
    }

    private struct Call {
        let primitive: OpaquePointer
        /// The recording's own memories (`note`): no other code rebinds them, so recordings of
        /// the same primitives can replay side by side (`replayLanes`).
        let arguments: [dnnl_exec_arg_t]
        /// Arguments bound again before each replay of the call (`finish`): those in a padded
        /// layout over a buffer the recording writes, as binding zeroes the padding, which the
        /// recorded run did there too. The others keep the buffer they were created on.
        var rebound: [(memory: OpaquePointer, pointer: UnsafeMutableRawPointer)]
        let threads: Int?
    }

    /// A recorded step: a primitive call, or work in Swift over fixed buffers (`host`).
    private enum Step {
        case primitive(Call)
        case host(() -> Void)
    }

    private var steps: [Step] = []
    /// Arguments per primitive step, until `finish` decides which are rebound.
    private var noted: [[Argument]] = []
    /// Memories created for the steps' arguments (destroyed with the recording).
    private var memories: [OpaquePointer] = []
    /// Primitives, prepared primitives, reorder plans and memories the steps use.
    private var objects: [ObjectIdentifier: AnyObject] = [:]
    /// Every buffer a step reads or writes, held in `BufferPool` until this recording ends.
    private var held: Set<UnsafeMutableRawPointer> = []
    /// The buffers steps write (primitive outputs, `host` targets).
    private var written: Set<UnsafeMutableRawPointer> = []
    /// The recorded run's inputs (their buffers are refilled by `replay`) and outputs.
    private let inputs: [Tensor]
    private var outputs: [Tensor] = []
    /// Bytes the steps copy from one buffer to another (`TensorStorage.copy`: a tensor about to be
    /// written while another value still held its bytes), copied again by every replay.
    public private(set) var copiedBytes = 0

    /// The recording in progress and its thread (only that thread's primitives and buffers count).
    nonisolated(unsafe) private static var active: PrimitiveRecording?
    nonisolated(unsafe) private static var activeThread: pthread_t?

    /// A recording whose run reads `inputs`: plain tensors the recording's owner holds alone, as
    /// `replay` copies new bytes into them.
    public init(inputs: [Tensor]) {
        precondition(inputs.allSatisfy { $0.layout == nil }, "recorded inputs must be plain")
        self.inputs = inputs
    }

    deinit {
        BufferPool.shared.unhold(held)
        for memory in memories { dnnl_memory_destroy(memory) }
    }

    /// Runs `body`, noting the primitives it executes on this thread; nil, running nothing, while
    /// another recording is in progress (one at a time in a process).
    public func record<R>(_ body: () throws -> R) rethrows -> R? {
        Self.lock.lock()
        guard Self.active == nil else {
            Self.lock.unlock()
            return nil
        }
        Self.activeThread = pthread_self()
        Self.active = self
        BufferPool.shared.recording = true
        Self.lock.unlock()
        defer {
            Self.lock.lock()
            BufferPool.shared.recording = false
            Self.active = nil
            Self.activeThread = nil
            BufferPool.shared.endRecording()
            Self.lock.unlock()
            finish()
        }
        return try body()
    }

    private static let lock = NSLock()

    /// Decides which arguments a replay binds again (`Call.rebound`), now that every write is known.
    private func finish() {
        var index = 0
        for (i, step) in steps.enumerated() {
            guard case .primitive(var call) = step else { continue }
            call.rebound = noted[index].compactMap { a in
                guard a.padded, let p = a.pointer, written.contains(p) else { return nil }
                return (a.memory, p)
            }
            steps[i] = .primitive(call)
            index += 1
        }
        noted = []
    }

    /// Keeps the run's outputs, which `outputCopies` copies after each replay.
    public func keepOutputs(_ tensors: [Tensor]) { outputs = tensors }

    /// Copies of the outputs as the last run or replay left them (a caller may keep them while
    /// the next replay rewrites the recorded buffers).
    public func outputCopies() -> [Tensor] { outputs.map { $0.detachedCopy() } }

    /// Runs the recorded steps on `newInputs` (the recorded inputs' shapes and types, plain);
    /// false, running nothing, when they differ.
    public func replay(inputs newInputs: [Tensor]) -> Bool {
        guard accepts(newInputs) else { return false }
        for (new, kept) in zip(newInputs, inputs) where new.byteCount > 0 {
            let source = new.storage
            if source.pointer != kept.buffer.pointer { kept.buffer.pointer.copyMemory(from: source.pointer, byteCount: new.byteCount) }
        }
        let threads = OpenMPThreads.maxThreads
        var current = threads
        defer { if let threads, current != threads { OpenMPThreads.set(threads) } }
        run(on: DNNL.stream) { n in
            if n != current {
                OpenMPThreads.set(n)
                current = n
            }
        }
        return true
    }

    private func accepts(_ newInputs: [Tensor]) -> Bool {
        newInputs.count == inputs.count && zip(newInputs, inputs).allSatisfy { $0.shape == $1.shape && $0.dtype == $1.dtype }
    }

    /// Executes the steps on `stream`; `threads` is told each call's recorded thread count.
    private func run(on stream: OpaquePointer, threads: ((Int) -> Void)? = nil) {
        for step in steps {
            switch step {
            case .host(let work):
                work()
            case .primitive(let call):
                if let n = call.threads { threads?(n) }
                for (memory, pointer) in call.rebound {
                    DNNL.check(dnnl_memory_set_data_handle_v2(memory, pointer, stream), "set_data_handle")
                }
                call.arguments.withUnsafeBufferPointer { args in
                    DNNL.check(dnnl_primitive_execute(call.primitive, stream, Int32(args.count), args.baseAddress), "primitive_execute")
                }
            }
        }
        DNNL.check(dnnl_stream_wait(stream), "dnnl_stream_wait")
    }

    /// Whether `lanes` may replay at the same time (`replayLanes`): no buffer one of them writes
    /// is read or written by another (they share only what none of them writes, e.g. weights).
    public static func canReplayTogether(_ lanes: [PrimitiveRecording]) -> Bool {
        for (i, a) in lanes.enumerated() {
            for b in lanes[(i + 1)...] where !a.written.isDisjoint(with: b.held) || !b.written.isDisjoint(with: a.held) {
                return false
            }
        }
        return true
    }

    /// Replays `lanes` side by side on `inputs` cut along their first dimension, lane i taking
    /// the rows of its recorded inputs in order (lane 0 the first ones), on thread i of one OpenMP
    /// parallel region. Inside the region oneDNN runs every call on the calling thread, so each
    /// lane is a single-threaded run of its recording, on a stream of its own. The lanes must have
    /// passed `canReplayTogether`. False, running nothing, when the inputs are not the lanes'
    /// inputs stacked or the OpenMP runtime has no parallel region to offer.
    public static func replayLanes(_ lanes: [PrimitiveRecording], inputs: [Tensor]) -> Bool {
        guard let first = lanes.first, OpenMPThreads.canRunParallel, inputs.count == first.inputs.count else { return false }
        var offsets = [[Int]](repeating: [], count: lanes.count)
        for (k, input) in inputs.enumerated() {
            guard input.isPlain, let rows = input.shape.first else { return false }
            var offset = 0, row = 0
            for (i, lane) in lanes.enumerated() {
                let kept = lane.inputs[k]
                guard kept.dtype == input.dtype, kept.shape.count == input.shape.count, kept.shape.dropFirst() == input.shape.dropFirst() else {
                    return false
                }
                offsets[i].append(offset)
                offset += kept.byteCount
                row += kept.shape[0]
            }
            guard row == rows else { return false }
        }
        let streams = (0..<lanes.count).map { DNNL.laneStream($0) }
        let sources = inputs.map(\.storage)
        OpenMPThreads.parallel(lanes.count) { i in
            for (k, kept) in lanes[i].inputs.enumerated() where kept.byteCount > 0 {
                kept.buffer.pointer.copyMemory(from: sources[k].pointer + offsets[i][k], byteCount: kept.byteCount)
            }
            lanes[i].run(on: streams[i])
        }
        return true
    }

    /// The lanes' outputs stacked along their first dimension (copies; `replayLanes`), or nil
    /// when they are not plain tensors of the same trailing shape.
    public static func stackedOutputs(_ lanes: [PrimitiveRecording]) -> [Tensor]? {
        guard let first = lanes.first else { return nil }
        var stacked: [Tensor] = []
        for (k, output) in first.outputs.enumerated() {
            let parts = lanes.map { $0.outputs[k] }
            guard parts.allSatisfy({ $0.isPlain && $0.dtype == output.dtype && $0.shape.count >= 1 && $0.shape.dropFirst() == output.shape.dropFirst() }) else {
                return nil
            }
            var t = Tensor(uninitializedShape: [parts.reduce(0) { $0 + $1.shape[0] }] + output.shape.dropFirst(), dtype: output.dtype)
            t.withUnsafeMutableBytes { target in
                var offset = 0
                for part in parts where part.byteCount > 0 {
                    part.withUnsafeBytes { (target.baseAddress! + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                    offset += part.byteCount
                }
            }
            stacked.append(t)
        }
        return stacked
    }

    /// Whether primitives executed on this thread are being recorded.
    static var isRecording: Bool {
        guard let thread = activeThread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Notes a primitive call (`Primitive.execute`; the caller keeps the owner of the memories
    /// alive, `keep`): each argument gets a memory of the recording's own over the same buffer.
    static func note(_ primitive: Primitive, _ arguments: UnsafeBufferPointer<dnnl_exec_arg_t>) {
        guard isRecording, let r = active else { return }
        r.keep(primitive)
        var own: [dnnl_exec_arg_t] = []
        var notes: [Argument] = []
        for argument in arguments {
            var p: UnsafeMutableRawPointer?
            DNNL.check(dnnl_memory_get_data_handle(argument.memory, &p), "get_data_handle")
            var md: UnsafePointer<dnnl_memory_desc_t>?
            DNNL.check(dnnl_memory_get_memory_desc(argument.memory, &md), "get_memory_desc")
            var memory: OpaquePointer?
            DNNL.check(dnnl_memory_create(&memory, md, DNNL.engine, p ?? slim_dnnl_memory_none()), "memory_create")
            r.memories.append(memory!)
            own.append(dnnl_exec_arg_t(arg: argument.arg, memory: memory))
            notes.append(Argument(memory: memory!, pointer: p, padded: md.map(Self.isPadded) ?? false))
            if let p {
                if r.held.insert(p).inserted { BufferPool.shared.hold(p) }
                if !Self.isInput(argument.arg) { r.written.insert(p) }
            }
        }
        r.noted.append(notes)
        r.steps.append(.primitive(Call(primitive: primitive.primitive, arguments: own, rebound: [], threads: OpenMPThreads.maxThreads)))
    }

    /// Whether a call argument is only read: sources, weights, bias and statistics, the gradient
    /// of the output, scales, zero points and post-op operands. Anything else (destinations,
    /// workspace, gradients of inputs) may be written.
    private static func isInput(_ arg: Int32) -> Bool {
        switch arg {
        case DNNL_ARG_SRC_0..<DNNL_ARG_DST_0, DNNL_ARG_WEIGHTS_0..<DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_DST_0..<DNNL_ARG_DIFF_WEIGHTS_0,
             DNNL_ARG_ATTR_OUTPUT_SCALES..<DNNL_ARG_MULTIPLE_DST:
            return true
        default:
            return arg >= DNNL_ARG_ATTR_ZERO_POINTS
        }
    }

    /// Whether a descriptor's layout pads some dimension (blocked channels beyond the count).
    private static func isPadded(_ md: UnsafePointer<dnnl_memory_desc_t>) -> Bool {
        let d = md.pointee
        return withUnsafeBytes(of: d.dims) { dims in
            withUnsafeBytes(of: d.padded_dims) { padded in
                let n = Int(d.ndims) * MemoryLayout<dnnl_dim_t>.stride
                return memcmp(dims.baseAddress!, padded.baseAddress!, n) != 0
            }
        }
    }

    /// Runs `work`, a kernel written in Swift that reads only the bytes of `reading` and writes
    /// only those of `writing` (and values fixed for the run); while recording, keeps it as a step
    /// that a replay runs again, and holds the storages' buffers. The storages are alive for this
    /// call (its arguments); `work` captures their pointers, not the storages or their tensors:
    /// the recording holds the bytes, and a storage the step kept would count as a second holder,
    /// so a later kernel that writes over its input in place (a residual sum) would copy it in
    /// every replay.
    public static func host(reading: [TensorStorage], writing: [TensorStorage], _ work: @escaping () -> Void) {
        work()
        guard isRecording, let r = active else { return }
        for p in (reading + writing).map(\.pointer) where r.held.insert(p).inserted { BufferPool.shared.hold(p) }
        r.written.formUnion(writing.map(\.pointer))
        r.steps.append(.host(work))
    }

    /// Copies `source`'s bytes into `target` (at least as large) as a `host` step, counted in `copiedBytes`.
    static func copy(from source: TensorStorage, to target: TensorStorage) {
        let (from, to, count) = (source.pointer, target.pointer, source.byteCount)
        host(reading: [source], writing: [target]) { to.copyMemory(from: from, byteCount: count) }
        guard isRecording, let r = active else { return }
        r.copiedBytes += count
    }

    /// Keeps `object` (what owns a recorded call's primitive or memories) alive with the recording.
    static func keep(_ object: AnyObject) {
        guard isRecording, let r = active else { return }
        r.keep(object)
    }

    private func keep(_ object: AnyObject) { objects[ObjectIdentifier(object)] = object }
}
