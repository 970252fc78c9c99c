import CDNNL

/// A primitive plus what it takes to run it on plain row-major tensors.
///
/// Each argument is bound to a caller's plain buffer. When the primitive chose another layout for an
/// argument, a cached reorder moves data into (inputs) or out of (outputs) an owned buffer in that
/// layout. Arguments the caller never sees (workspace) are owned buffers.
final class PreparedPrimitive: @unchecked Sendable {
    struct Slot {
        let arg: Int32
        let user: Memory
        let inner: Memory?
        let reorder: Primitive?
        let isOutput: Bool
        /// An output whose previous contents the primitive reads (sum post-op): reordered in too.
        let reorderIn: Primitive?
    }

    let primitive: Primitive
    private(set) var slots: [Int32: Slot] = [:]
    private var owned: [(Int32, Memory)] = []

    init(_ primitive: Primitive) { self.primitive = primitive }

    /// Adds an argument the caller passes as a plain buffer of `plain` layout; `chosen` is what the
    /// primitive wants (from a query). `readsOutput`: an output the primitive also reads (in place).
    func bind(_ arg: Int32, plain: MemoryDesc, chosen: MemoryDesc, isOutput: Bool, readsOutput: Bool = false) {
        let user = Memory(plain, owning: false)
        guard !plain.equals(chosen) else {
            slots[arg] = Slot(arg: arg, user: user, inner: nil, reorder: nil, isOutput: isOutput, reorderIn: nil)
            return
        }
        let inner = Memory(chosen, owning: true)
        let (from, to) = isOutput ? (chosen, plain) : (plain, chosen)
        let reorderIn = isOutput && readsOutput ? Reorder.primitive(from: plain, to: chosen) : nil
        slots[arg] = Slot(arg: arg, user: user, inner: inner, reorder: Reorder.primitive(from: from, to: to), isOutput: isOutput,
                          reorderIn: reorderIn)
    }

    /// Adds an argument held by the primitive itself (workspace): an owned buffer of `desc`.
    func own(_ arg: Int32, _ desc: MemoryDesc) -> Memory {
        let m = Memory(desc, owning: true)
        owned.append((arg, m))
        return m
    }

    /// Runs on caller buffers (`arg -> pointer`): reorder inputs in, execute, reorder outputs out.
    func run(_ buffers: [Int32: UnsafeMutableRawPointer], extra: [(Int32, Memory)] = []) {
        var args: [(Int32, Memory)] = owned + extra
        for (arg, slot) in slots {
            guard let pointer = buffers[arg] else { preconditionFailure("missing buffer for argument \(arg)") }
            slot.user.bind(pointer)
            if let inner = slot.inner, let reorder = slot.isOutput ? slot.reorderIn : slot.reorder {
                reorder.execute([(DNNL_ARG_FROM, slot.user), (DNNL_ARG_TO, inner)])
            }
            args.append((arg, slot.inner ?? slot.user))
        }
        primitive.execute(args)
        for slot in slots.values where slot.isOutput {
            if let inner = slot.inner, let reorder = slot.reorder {
                reorder.execute([(DNNL_ARG_FROM, inner), (DNNL_ARG_TO, slot.user)])
            }
        }
        DNNL.wait()
    }
}

/// Cached reorder primitives between two layouts.
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
