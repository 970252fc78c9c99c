import CDNNL

extension Kernels {
    /// Creates (once per key) a primitive from an op descriptor and binds its plain arguments.
    ///
    /// `args` lists (argument, plain descriptor, query for the primitive's choice, is output).
    static func prepared<Desc>(_ key: String, desc: Desc, hint: PreparedPrimitive? = nil,
                               args: [(Int32, MemoryDesc, dnnl_query_t, Int32, Bool)]) -> PreparedPrimitive {
        prepared(key, hint: hint, desc: { desc }, args: { args })
    }

    /// Like `prepared(_:desc:hint:args:)`, building descriptors only when the key is not cached yet.
    static func prepared<Desc>(_ key: String, hint: @autoclosure () -> PreparedPrimitive? = nil, desc: () -> Desc,
                               args: () -> [(Int32, MemoryDesc, dnnl_query_t, Int32, Bool)]) -> PreparedPrimitive {
        PrimitiveCache.shared.value(key) {
            let hint = hint(), desc = desc(), args = args()
            let prim = withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), hint: hint?.primitive, what: key) }
            let p = PreparedPrimitive(prim)
            for (arg, plain, query, index, isOutput) in args {
                p.bind(arg, plain: plain, chosen: prim.md(query, index), isOutput: isOutput)
            }
            return p
        }
    }
}
