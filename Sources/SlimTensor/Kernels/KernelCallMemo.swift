/// The primitive one call site (an op of an executor's plan, in its memo) ran last and what it was
/// prepared for, so that a call like the last one skips building the primitive cache's key text:
/// the same primitive the cache holds under that key (`Kernels.eltwiseForward`, `Kernels.add`,
/// `Kernels.pool2dForward`...).
public final class KernelCallMemo: @unchecked Sendable {
    fileprivate var eltwise: (dims: [Int], kind: EltwiseKind, layout: TensorLayout?, training: Bool, primitive: PreparedPrimitive)?
    fileprivate var binary: (algorithm: UInt32, a: [Int], b: [Int], layout: TensorLayout?, primitive: PreparedPrimitive)?
    fileprivate var pool: (x: [Int], geometry: PoolGeometry, training: Bool, dtype: DType, layout: TensorLayout?, primitive: PreparedPrimitive)?
    fileprivate var softmax: (x: [Int], axis: Int, log: Bool, primitive: PreparedPrimitive)?

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

    /// `make`'s softmax (or log softmax) primitive for `x` along `axis`, through `memo` when given.
    static func softmaxPrimitive(_ x: [Int], axis: Int, log: Bool, memo: KernelCallMemo?, make: () -> PreparedPrimitive) -> PreparedPrimitive {
        if let last = memo?.softmax, last.axis == axis, last.log == log, last.x == x { return last.primitive }
        let p = make()
        memo?.softmax = (x, axis, log, p)
        return p
    }

    /// `poolForwardPrimitive`, through `memo` when given.
    static func poolForwardPrimitive(_ c: PoolShapes, training: Bool, dtype: DType, layout: TensorLayout?,
                                     memo: KernelCallMemo?) -> PreparedPrimitive {
        if let last = memo?.pool, last.layout === layout, last.training == training, last.dtype == dtype, last.x == c.x,
           last.geometry == c.g {
            return last.primitive
        }
        let p = poolForwardPrimitive(c, training: training, dtype: dtype, layout: layout)
        memo?.pool = (c.x, c.g, training, dtype, layout, p)
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
