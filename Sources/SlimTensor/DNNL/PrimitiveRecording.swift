import CDNNL
import Foundation

/// The oneDNN primitive calls of one run, to run again on new input bytes without the code that
/// issued them: an inference step replayed (`Executor.replaysInference`).
///
/// While `record` runs its body, every primitive executed on the recording thread is noted with
/// its argument memories, the buffers they pointed at and the OpenMP thread count, and the
/// objects that own those primitives and memories are kept alive. The buffers the calls touch
/// stay this recording's: a tensor that releases one hands it over to `BufferPool`'s hold instead
/// of freeing it, so no other tensor is given those bytes while the recording lives (within the
/// recorded run, one released there may be handed out again, as the run itself would reuse it).
/// `replay` copies new input bytes into the recorded inputs' buffers and executes the calls again,
/// in order, on the same buffers: the same kernels on the same bytes, so the outputs are bit for
/// bit those of running the code again. Swift kernels that declare their buffers (`host`,
/// `Tensor.mapElements`) are recorded and run again too; other work outside primitives is not:
/// callers replay only runs of ops that declare it (`Operator.runsOnPrimitives`), and check a
/// replay against a run.
public final class PrimitiveRecording: @unchecked Sendable {
    private struct Call {
        let primitive: OpaquePointer
        let arguments: [dnnl_exec_arg_t]
        let pointers: [UnsafeMutableRawPointer?]
        let threads: Int?
    }

    /// A recorded step: a primitive call, or work in Swift over fixed buffers (`host`).
    private enum Step {
        case primitive(Call)
        case host(() -> Void)
    }

    private var steps: [Step] = []
    /// Primitives, prepared primitives, reorder plans and memories the steps use.
    private var objects: [ObjectIdentifier: AnyObject] = [:]
    /// Every buffer a step reads or writes, held in `BufferPool` until this recording ends.
    private var held: Set<UnsafeMutableRawPointer> = []
    /// The recorded run's inputs (their buffers are refilled by `replay`) and outputs.
    private let inputs: [Tensor]
    private var outputs: [Tensor] = []

    /// The recording in progress and its thread (only that thread's primitives and buffers count).
    nonisolated(unsafe) private static var active: PrimitiveRecording?
    nonisolated(unsafe) private static var activeThread: pthread_t?

    /// A recording whose run reads `inputs`: plain tensors the recording's owner holds alone, as
    /// `replay` copies new bytes into them.
    public init(inputs: [Tensor]) {
        precondition(inputs.allSatisfy { $0.layout == nil }, "recorded inputs must be plain")
        self.inputs = inputs
    }

    deinit { BufferPool.shared.unhold(held) }

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
        }
        return try body()
    }

    private static let lock = NSLock()

    /// Keeps the run's outputs, which `outputCopies` copies after each replay.
    public func keepOutputs(_ tensors: [Tensor]) { outputs = tensors }

    /// Copies of the outputs as the last run or replay left them (a caller may keep them while
    /// the next replay rewrites the recorded buffers).
    public func outputCopies() -> [Tensor] { outputs.map { $0.detachedCopy() } }

    /// Runs the recorded steps on `newInputs` (the recorded inputs' shapes and types, plain);
    /// false, running nothing, when they differ.
    public func replay(inputs newInputs: [Tensor]) -> Bool {
        guard newInputs.count == inputs.count, zip(newInputs, inputs).allSatisfy({ $0.shape == $1.shape && $0.dtype == $1.dtype }) else {
            return false
        }
        for (new, kept) in zip(newInputs, inputs) where new.byteCount > 0 {
            let source = new.storage
            if source.pointer != kept.buffer.pointer { kept.buffer.pointer.copyMemory(from: source.pointer, byteCount: new.byteCount) }
        }
        let threads = OpenMPThreads.maxThreads
        var current = threads
        defer { if let threads, current != threads { OpenMPThreads.set(threads) } }
        for step in steps {
            guard case .primitive(let call) = step else {
                if case .host(let work) = step { work() }
                continue
            }
            if let n = call.threads, n != current {
                OpenMPThreads.set(n)
                current = n
            }
            for (argument, pointer) in zip(call.arguments, call.pointers) {
                DNNL.check(dnnl_memory_set_data_handle_v2(argument.memory, pointer, DNNL.stream), "set_data_handle")
            }
            call.arguments.withUnsafeBufferPointer { args in
                DNNL.check(dnnl_primitive_execute(call.primitive, DNNL.stream, Int32(args.count), args.baseAddress), "primitive_execute")
            }
        }
        DNNL.wait()
        return true
    }

    /// Whether primitives executed on this thread are being recorded.
    static var isRecording: Bool {
        guard let thread = activeThread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Notes a primitive call (`Primitive.execute`; the caller keeps the owner of the memories alive, `keep`).
    static func note(_ primitive: Primitive, _ arguments: UnsafeBufferPointer<dnnl_exec_arg_t>) {
        guard isRecording, let r = active else { return }
        r.keep(primitive)
        var pointers: [UnsafeMutableRawPointer?] = []
        for argument in arguments {
            var p: UnsafeMutableRawPointer?
            DNNL.check(dnnl_memory_get_data_handle(argument.memory, &p), "get_data_handle")
            pointers.append(p)
            if let p, r.held.insert(p).inserted { BufferPool.shared.hold(p) }
        }
        r.steps.append(.primitive(Call(primitive: primitive.primitive, arguments: Array(arguments), pointers: pointers,
                                       threads: OpenMPThreads.maxThreads)))
    }

    /// Runs `work`, a kernel written in Swift that reads and writes only `buffers` (and values
    /// fixed for the run); while recording, keeps it as a step that a replay runs again, and holds
    /// the buffers.
    public static func host(buffers: [UnsafeMutableRawPointer], _ work: @escaping () -> Void) {
        work()
        guard isRecording, let r = active else { return }
        for p in buffers where r.held.insert(p).inserted { BufferPool.shared.hold(p) }
        r.steps.append(.host(work))
    }

    /// Keeps `object` (what owns a recorded call's primitive or memories) alive with the recording.
    static func keep(_ object: AnyObject) {
        guard isRecording, let r = active else { return }
        r.keep(object)
    }

    private func keep(_ object: AnyObject) { objects[ObjectIdentifier(object)] = object }
}
