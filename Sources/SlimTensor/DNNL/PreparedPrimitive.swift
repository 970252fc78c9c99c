import CDNNL
import Foundation

/// A primitive plus what it takes to run it on tensors, plain or already in its layouts.
///
/// Each argument is a caller's buffer. A buffer already in the layout the primitive chose for the
/// argument is used directly. A plain buffer, when the primitive chose another layout, goes
/// through an owned buffer in that layout and a cached reorder: into it (inputs) or out of it
/// (outputs). Arguments the caller never sees (workspace) are owned buffers.
final class PreparedPrimitive: @unchecked Sendable {
    /// One argument of a call: a caller's buffer, plain row-major or in the slot's chosen layout.
    struct Argument {
        let pointer: UnsafeMutableRawPointer
        let isPlain: Bool
    }

    final class Slot {
        let arg: Int32
        let chosen: MemoryDesc
        /// What the primitive itself is given for the argument: `chosen`, or the same bytes seen
        /// with other dims (a dense NHWC activation as the [N·H·W, C] matrix a matmul reads).
        let executed: MemoryDesc
        /// The chosen layout, nil when it is plain row-major.
        let layout: TensorLayout?
        let user: Memory
        let isOutput: Bool
        /// An output whose previous contents the primitive reads (sum post-op): reordered in too.
        let readsOutput: Bool
        /// Memory of the chosen layout over a caller's buffer already in that layout.
        private(set) lazy var direct = Memory(executed, owning: false)
        /// Owned buffer in the chosen layout and the reorders between it and a plain buffer.
        private(set) lazy var inner = Memory(chosen, owning: true)
        /// `inner` as the primitive is given it (itself unless `executed` differs from `chosen`).
        private(set) lazy var innerExecuted: Memory = {
            guard !executed.equals(chosen) else { return inner }
            let view = Memory(executed, owning: false)
            view.bind(inner.pointer)
            return view
        }()
        private(set) lazy var reorderIn = Reorder.primitive(from: user.desc, to: chosen)
        private(set) lazy var reorderOut = Reorder.primitive(from: chosen, to: user.desc)

        init(arg: Int32, plain: MemoryDesc, chosen: MemoryDesc, executed: MemoryDesc? = nil, layout: TensorLayout?, isOutput: Bool,
             readsOutput: Bool) {
            precondition(executed.map { $0.byteSize == chosen.byteSize } ?? true, "an executed view of another size")
            self.arg = arg
            self.chosen = chosen
            self.executed = executed ?? chosen
            self.layout = layout
            user = Memory(plain, owning: false)
            self.isOutput = isOutput
            self.readsOutput = readsOutput
        }

        /// Whether a buffer in `layout` (nil: plain) can be passed for this argument as it is.
        func accepts(_ layout: TensorLayout?) -> Bool {
            guard let layout else { return true }
            guard let own = self.layout else { return false }
            return own === layout || own.matches(layout.desc)
        }

        /// Binds `argument` and returns the memory the primitive gets, reordering a plain input in.
        func prepare(_ argument: Argument) -> Memory {
            guard argument.isPlain, layout != nil else {
                let memory = argument.isPlain ? user : direct
                memory.bind(argument.pointer)
                return memory
            }
            user.bind(argument.pointer)
            if !isOutput || readsOutput { reorderIn.execute([(DNNL_ARG_FROM, user), (DNNL_ARG_TO, inner)]) }
            return innerExecuted
        }

        /// After execution: reorders an output held in `inner` out to the caller's plain buffer.
        func finish(_ argument: Argument) {
            guard isOutput, argument.isPlain, layout != nil else { return }
            reorderOut.execute([(DNNL_ARG_FROM, inner), (DNNL_ARG_TO, user)])
        }
    }

    let primitive: Primitive
    private(set) var slots: [Int32: Slot] = [:]
    private var owned: [(Int32, Memory)] = []
    /// Constant arguments (weights) already reordered into their chosen layouts.
    let constants = PackedConstants()
    /// The OpenMP thread count the primitive was created for and must run with (nil: any).
    var threads: Int?

    init(_ primitive: Primitive) { self.primitive = primitive }

    /// Adds an argument the caller passes as a plain buffer of `plain` layout or a buffer in
    /// `chosen` (what the primitive wants, from a query). `readsOutput`: an output the primitive
    /// also reads (in place). `executed`: the descriptor the primitive is given for the same bytes,
    /// when it is not `chosen` (see `Slot.executed`).
    func bind(_ arg: Int32, plain: MemoryDesc, chosen: MemoryDesc, executed: MemoryDesc? = nil, isOutput: Bool, readsOutput: Bool = false) {
        let layout = plain.equals(chosen) ? nil : TensorLayout.make(chosen)
        slots[arg] = Slot(arg: arg, plain: plain, chosen: chosen, executed: executed, layout: layout, isOutput: isOutput,
                          readsOutput: readsOutput)
    }

    /// The layout the primitive chose for `arg` (nil: plain row-major).
    func layout(_ arg: Int32) -> TensorLayout? { slots[arg]?.layout }

    /// Whether a buffer in `layout` (nil: plain) can be passed for `arg` as it is.
    func accepts(_ arg: Int32, _ layout: TensorLayout?) -> Bool {
        guard let layout else { return true }
        return slots[arg]?.accepts(layout) ?? false
    }

    /// Adds an argument held by the primitive itself (workspace): an owned buffer of `desc`.
    func own(_ arg: Int32, _ desc: MemoryDesc) -> Memory {
        let m = Memory(desc, owning: true)
        owned.append((arg, m))
        return m
    }

    /// Runs on caller buffers (plain pointers): reorder inputs in, execute, reorder outputs out.
    func run(_ buffers: [Int32: UnsafeMutableRawPointer], extra: [(Int32, Memory)] = []) {
        run(buffers.mapValues { Argument(pointer: $0, isPlain: true) }, extra: extra)
    }

    /// Runs on caller buffers, each plain or in its slot's chosen layout.
    func run(_ arguments: [Int32: Argument], extra: [(Int32, Memory)] = []) {
        if PrimitiveRecording.isRecording {
            PrimitiveRecording.keep(self)
            for (_, memory) in extra { PrimitiveRecording.keep(memory) }
        }
        Kernels.withPrimitiveThreads(self) { execute(arguments, extra: extra) }
    }

    private func execute(_ arguments: [Int32: Argument], extra: [(Int32, Memory)]) {
        withUnsafeTemporaryAllocation(of: dnnl_exec_arg_t.self, capacity: owned.count + extra.count + slots.count) { args in
            var n = 0
            for (arg, memory) in owned {
                args[n] = dnnl_exec_arg_t(arg: arg, memory: memory.handle)
                n += 1
            }
            for (arg, memory) in extra {
                args[n] = dnnl_exec_arg_t(arg: arg, memory: memory.handle)
                n += 1
            }
            for (arg, slot) in slots {
                guard let argument = arguments[arg] else { preconditionFailure("missing buffer for argument \(arg)") }
                args[n] = dnnl_exec_arg_t(arg: arg, memory: slot.prepare(argument).handle)
                n += 1
            }
            primitive.execute(UnsafeMutableBufferPointer(rebasing: args[..<n]))
        }
        for (arg, slot) in slots where slot.isOutput { slot.finish(arguments[arg]!) }
        DNNL.wait()
    }
}

extension PreparedPrimitive {
    /// `run(_:extra:)` with the arguments given per slot, every slot once (callers that resolved
    /// the slots beforehand: no dictionaries per call).
    func run(slots list: [(Slot, Argument)]) {
        precondition(list.count == slots.count, "\(list.count) arguments for \(slots.count) slots")
        if PrimitiveRecording.isRecording { PrimitiveRecording.keep(self) }
        Kernels.withPrimitiveThreads(self) { execute(slots: list) }
    }

    private func execute(slots list: [(Slot, Argument)]) {
        withUnsafeTemporaryAllocation(of: dnnl_exec_arg_t.self, capacity: owned.count + list.count) { args in
            var n = 0
            for (arg, memory) in owned {
                args[n] = dnnl_exec_arg_t(arg: arg, memory: memory.handle)
                n += 1
            }
            for (slot, argument) in list {
                args[n] = dnnl_exec_arg_t(arg: slot.arg, memory: slot.prepare(argument).handle)
                n += 1
            }
            primitive.execute(UnsafeMutableBufferPointer(rebasing: args[..<n]))
        }
        for (slot, argument) in list where slot.isOutput { slot.finish(argument) }
        DNNL.wait()
    }
}

/// Reorder primitives between two layouts.
enum Reorder {
    static func primitive(from: MemoryDesc, to: MemoryDesc) -> Primitive {
        var pd: OpaquePointer?
        withUnsafePointer(to: from.raw) { f in
            withUnsafePointer(to: to.raw) { t in
                DNNL.check(dnnl_reorder_primitive_desc_create(&pd, f, DNNL.engine, t, DNNL.engine, nil), "reorder_primitive_desc_create")
            }
        }
        return Primitive(primitiveDesc: pd!, what: "reorder")
    }
}

/// A reorder primitive with its two memories (bound to the caller's buffers per call).
final class ReorderPlan: @unchecked Sendable {
    let primitive: Primitive
    let source: Memory
    let destination: Memory

    init(from: MemoryDesc, to: MemoryDesc) {
        primitive = Reorder.primitive(from: from, to: to)
        source = Memory(from, owning: false)
        destination = Memory(to, owning: false)
    }

    private let lock = NSLock()

    /// The plan from `from` to `to`, made once per pair of layouts (`PrimitiveCache`).
    static func shared(from: MemoryDesc, to: MemoryDesc) -> ReorderPlan {
        PrimitiveCache.shared.value("reorder \(from.layoutKey) -> \(to.layoutKey)") { ReorderPlan(from: from, to: to) }
    }

    /// Reorders `from` into `to` (one call at a time: the memories are rebound per call).
    func run(_ from: UnsafeMutableRawPointer, _ to: UnsafeMutableRawPointer) {
        lock.lock(); defer { lock.unlock() }
        if PrimitiveRecording.isRecording { PrimitiveRecording.keep(self) }
        source.bind(from)
        destination.bind(to)
        primitive.execute([(DNNL_ARG_FROM, source), (DNNL_ARG_TO, destination)])
        DNNL.wait()
    }
}
