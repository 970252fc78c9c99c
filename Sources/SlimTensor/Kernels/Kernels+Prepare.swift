import CDNNL
import Foundation

extension Kernels {
    /// Creates (once per key) a primitive from an op descriptor and binds its plain arguments.
    ///
    /// `args` lists (argument, plain descriptor, query for the primitive's choice, is output).
    static func prepared<Desc>(_ key: String, desc: Desc, hint: PreparedPrimitive? = nil, work: Int? = nil,
                               args: [(Int32, MemoryDesc, dnnl_query_t, Int32, Bool)]) -> PreparedPrimitive {
        prepared(key, hint: hint, work: work, desc: { desc }, args: { args })
    }

    /// Like `prepared(_:desc:hint:args:)`, building descriptors only when the key is not cached yet.
    ///
    /// `work`: elements the primitive touches per call, for primitives whose result does not depend
    /// on the thread count (elementwise, binary, pooling): created and run on
    /// `work / elementsPerThread` threads (`threadsFor`); nil: every thread.
    static func prepared<Desc>(_ key: String, hint: @autoclosure () -> PreparedPrimitive? = nil, work: Int? = nil, desc: () -> Desc,
                               args: () -> [(Int32, MemoryDesc, dnnl_query_t, Int32, Bool)]) -> PreparedPrimitive {
        PrimitiveCache.shared.value(key) {
            let hint = hint(), desc = desc(), args = args()
            let threads = work.map { threadsFor(work: $0, perThread: elementsPerThread) }
            let prim = withThreads(threads) { withUnsafePointer(to: desc) { Primitive(opDesc: UnsafeRawPointer($0), hint: hint?.primitive, what: key) } }
            let p = PreparedPrimitive(prim)
            p.threads = threads
            for (arg, plain, query, index, isOutput) in args {
                p.bind(arg, plain: plain, chosen: prim.md(query, index), isOutput: isOutput)
            }
            return p
        }
    }

    /// Elements each thread of an elementwise, binary or pooling primitive gets at least. When
    /// idle OpenMP threads sleep at once (`OMP_WAIT_POLICY=PASSIVE`, `GOMP_SPINCOUNT=0`) waking
    /// one costs about what splitting 64K elements saves, so smaller tensors (batch-1 inference)
    /// stay on one thread; when they spin a while first (`ACTIVE`, or slim's default
    /// `GOMP_SPINCOUNT=10000`) 4K suffice.
    static let elementsPerThread: Int = threadsSpin ? 1 << 12 : 1 << 16

    /// Multiply-adds each thread of an inference convolution gets at least (as `elementsPerThread`).
    static let convMACsPerThread: Int = threadsSpin ? 1 << 14 : 1 << 18

    /// Whether idle OpenMP threads spin before they sleep: `OMP_WAIT_POLICY=ACTIVE`, or a
    /// `GOMP_SPINCOUNT` above 0 (slim sets 10000 unless told otherwise).
    static let threadsSpin: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if environment["OMP_WAIT_POLICY"]?.uppercased() == "ACTIVE" { return true }
        return environment["GOMP_SPINCOUNT"].flatMap { Double($0) }.map { $0 > 0 } ?? false
    }()

    /// `work / perThread` threads, at least one and at most the OpenMP maximum.
    static func threadsFor(work: Int, perThread: Int) -> Int {
        min(OpenMPThreads.maxThreads ?? 1, max(1, work / perThread))
    }
}
