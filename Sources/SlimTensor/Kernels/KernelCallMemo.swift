/// The primitive one call site (an op of an executor's plan, in its memo) ran last and what it was
/// prepared for, so that a call like the last one skips building the primitive cache's key text:
/// the same primitive the cache holds under that key (`Kernels.eltwiseForward`, `Kernels.add`...).
public final class KernelCallMemo: @unchecked Sendable {
    fileprivate var eltwise: (dims: [Int], kind: EltwiseKind, layout: TensorLayout?, training: Bool, primitive: PreparedPrimitive)?
    fileprivate var binary: (algorithm: UInt32, a: [Int], b: [Int], layout: TensorLayout?, primitive: PreparedPrimitive)?

    public init() {}
}

extension Kernels {
    /// `eltwiseForwardPrimitive`, through `memo` when given.
    static func eltwiseForwardPrimitive(_ dims: [Int], _ kind: EltwiseKind, layout: TensorLayout?, training: Bool,
                                        memo: KernelCallMemo?) -> PreparedPrimitive {
        if let last = memo?.eltwise, last.layout === layout, last.training == training, last.kind == kind, last.dims == dims {
            return last.primitive
        }
        let p = eltwiseForwardPrimitive(dims, kind, layout: layout, training: training)
        memo?.eltwise = (dims, kind, layout, training, p)
        return p
    }

    /// The binary primitive of `make`, through `memo` when given (`algorithm`, `a`, `b` and `layout`
    /// being what the primitive's cache key says).
    static func binaryPrimitive(_ algorithm: UInt32, a: [Int], b: [Int], layout: TensorLayout?, memo: KernelCallMemo?,
                                make: () -> PreparedPrimitive) -> PreparedPrimitive {
        if let last = memo?.binary, last.layout === layout, last.algorithm == algorithm, last.a == a, last.b == b {
            return last.primitive
        }
        let p = make()
        memo?.binary = (algorithm, a, b, layout, p)
        return p
    }
}
