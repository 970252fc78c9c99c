import CDNNL

/// A oneDNN memory object: either over a caller's buffer (handle set per call) or owning its own.
final class Memory: @unchecked Sendable {
    let handle: OpaquePointer
    let desc: MemoryDesc

    /// Memory with a library-allocated buffer (`owning`) or no buffer until `bind` is called.
    init(_ desc: MemoryDesc, owning: Bool) {
        var m: OpaquePointer?
        let buffer = owning ? slim_dnnl_memory_allocate() : slim_dnnl_memory_none()
        withUnsafePointer(to: desc.raw) { DNNL.check(dnnl_memory_create(&m, $0, DNNL.engine, buffer), "memory_create") }
        handle = m!
        self.desc = desc
    }

    /// Points this memory at a caller's buffer.
    func bind(_ pointer: UnsafeMutableRawPointer) {
        DNNL.check(dnnl_memory_set_data_handle_v2(handle, pointer, DNNL.stream), "set_data_handle")
    }

    /// The buffer of an owning memory.
    var pointer: UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        DNNL.check(dnnl_memory_get_data_handle(handle, &p), "get_data_handle")
        return p!
    }

    deinit { dnnl_memory_destroy(handle) }
}

/// A created primitive with its descriptor.
final class Primitive: @unchecked Sendable {
    let desc: OpaquePointer
    let primitive: OpaquePointer

    /// Creates a primitive from an operation descriptor (pointer to a `dnnl_*_desc_t`): oneDNN's first
    /// implementation whose name contains none of `avoiding`, else its first one.
    init(opDesc: UnsafeRawPointer, attr: OpaquePointer? = nil, hint: Primitive? = nil, avoiding: [String] = [], what: String) {
        var pd: OpaquePointer?
        if avoiding.isEmpty {
            DNNL.check(dnnl_primitive_desc_create(&pd, opDesc, attr, DNNL.engine, hint?.desc), "primitive_desc_create \(what)")
        } else {
            pd = Primitive.implementation(opDesc: opDesc, attr: attr, hint: hint, avoiding: avoiding, what: what)
        }
        self.desc = pd!
        var p: OpaquePointer?
        DNNL.check(dnnl_primitive_create(&p, pd), "primitive_create \(what)")
        primitive = p!
        PrimitiveCache.shared.noteCreation()
    }

    /// Wraps an already created primitive descriptor (reorders, concat).
    init(primitiveDesc pd: OpaquePointer, what: String) {
        desc = pd
        var p: OpaquePointer?
        DNNL.check(dnnl_primitive_create(&p, pd), "primitive_create \(what)")
        primitive = p!
        PrimitiveCache.shared.noteCreation()
    }

    /// Walks oneDNN's implementations in its order of preference (see `init`).
    private static func implementation(opDesc: UnsafeRawPointer, attr: OpaquePointer?, hint: Primitive?, avoiding: [String],
                                       what: String) -> OpaquePointer {
        var iterator: OpaquePointer?
        DNNL.check(dnnl_primitive_desc_iterator_create(&iterator, opDesc, attr, DNNL.engine, hint?.desc), "primitive_desc_iterator \(what)")
        defer { dnnl_primitive_desc_iterator_destroy(iterator) }
        var first: OpaquePointer?
        repeat {
            guard let pd = dnnl_primitive_desc_iterator_fetch(iterator) else { break }
            if !avoiding.contains(where: implementationName(pd).contains) {
                if let first { dnnl_primitive_desc_destroy(first) }
                return pd
            }
            if first == nil { first = pd } else { dnnl_primitive_desc_destroy(pd) }
        } while dnnl_primitive_desc_iterator_next(iterator) == dnnl_success
        guard let first else { preconditionFailure("oneDNN has no implementation of \(what)") }
        return first
    }

    /// The implementation's name (`jit:avx2`, `bnorm_jit:avx2`, `ref:any`...).
    static func implementationName(_ pd: OpaquePointer) -> String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else { return "" }
        return String(cString: name)
    }

    /// The name of the implementation this primitive runs.
    var implementation: String { Primitive.implementationName(desc) }

    /// The memory descriptor the primitive chose for a query (`dnnl_query_src_md`, ...).
    func md(_ query: dnnl_query_t, _ index: Int32 = 0) -> MemoryDesc {
        MemoryDesc(raw: dnnl_primitive_desc_query_md(desc, query, index).pointee)
    }

    /// Executes on `args` (memories the caller keeps alive).
    func execute(_ args: UnsafeMutableBufferPointer<dnnl_exec_arg_t>) {
        if PrimitiveRecording.isRecording { PrimitiveRecording.note(self, UnsafeBufferPointer(args)) }
        DNNL.check(dnnl_primitive_execute(primitive, DNNL.stream, Int32(args.count), args.baseAddress), "primitive_execute")
    }

    func execute(_ args: [(Int32, Memory)]) {
        var list = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        if PrimitiveRecording.isRecording {
            for (_, memory) in args { PrimitiveRecording.keep(memory) }
            list.withUnsafeBufferPointer { PrimitiveRecording.note(self, $0) }
        }
        DNNL.check(dnnl_primitive_execute(primitive, DNNL.stream, Int32(list.count), &list), "primitive_execute")
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(desc)
    }
}
