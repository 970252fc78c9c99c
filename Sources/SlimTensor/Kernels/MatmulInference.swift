import CDNNL

extension Kernels {
    /// y = activation(a · b + bias) for inference: a [M, K], b [K, N], bias [N] or nil, one oneDNN
    /// matmul with the bias and the activation (an eltwise post-op) inside, y [M, N] plain.
    ///
    /// The primitive and its argument slots are kept in `call` for the shapes, bias presence and
    /// activation of the last call, so a call like the last one (batch-1 inference of a fully
    /// connected layer) builds no key and looks nothing up. Small products run on fewer threads
    /// (`convMACsPerThread`), as inference convolutions do.
    public static func matmulInference(_ a: Tensor, _ b: Tensor, bias: Tensor?, activation: EltwiseKind?,
                                       call: MatmulInferenceCall.Holder) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[0], "matmul \(a.shape) x \(b.shape)")
        precondition(bias.map { $0.count == b.shape[1] } ?? true, "matmul bias of \(bias?.shape ?? []) for \(b.shape[1]) columns")
        let shape = (m: a.shape[0], k: a.shape[1], n: b.shape[1])
        let made: MatmulInferenceCall
        if let last = call.last, last.matches(shape, bias: bias != nil, activation: activation) {
            made = last
        } else {
            made = MatmulInferenceCall(shape, bias: bias != nil, activation: activation)
            call.last = made
        }
        let y = Tensor(uninitializedShape: [shape.m, shape.n])
        made.run(a.plain(), b.plain(), bias?.plain(), y)
        return y
    }
}

extension Kernels {
    /// A oneDNN matmul primitive a [M, K] x b [K, N] (+ bias [1, N]) -> y with `attributes`
    /// (post-ops), created for `threads` OpenMP threads (nil: every thread).
    static func matmulPrimitive(_ a: MemoryDesc, _ b: MemoryDesc, _ y: MemoryDesc, bias: MemoryDesc?, attributes: PrimitiveAttributes?,
                                threads: Int?, what: String) -> Primitive {
        var (a, b, y) = (a, b, y)
        let biasDesc = bias?.pointer()
        defer { biasDesc?.deallocate() }
        var desc = dnnl_matmul_desc_t()
        DNNL.check(dnnl_matmul_desc_init(&desc, &a.raw, &b.raw, biasDesc, &y.raw), "matmul desc \(what)")
        return withThreads(threads) {
            withUnsafePointer(to: desc) { pointer in
                withExtendedLifetime(attributes) { Primitive(opDesc: UnsafeRawPointer(pointer), attr: attributes?.handle, what: what) }
            }
        }
    }
}

/// A fully connected layer's inference matmul (`Kernels.matmulInference`) for one shape, bias
/// presence and activation: the cached primitive and its argument slots.
public final class MatmulInferenceCall {
    /// Where a layer keeps its last call (an op's memo holds one).
    public final class Holder: @unchecked Sendable {
        var last: MatmulInferenceCall?
        public init() {}
    }

    let m, k, n: Int
    let hasBias: Bool
    let activation: EltwiseKind?
    let primitive: PreparedPrimitive
    private var arguments: [(PreparedPrimitive.Slot, PreparedPrimitive.Argument)]

    init(_ shape: (m: Int, k: Int, n: Int), bias: Bool, activation: EltwiseKind?) {
        (m, k, n) = shape
        hasBias = bias
        self.activation = activation
        let key = "matmul_inference \(m)x\(k)x\(n) b\(bias) a\(activation?.cacheKey ?? "-")"
        primitive = PrimitiveCache.shared.value(key) { () -> PreparedPrimitive in
            let a = MemoryDesc([shape.m, shape.k], .f32), b = MemoryDesc([shape.k, shape.n], .f32)
            let y = MemoryDesc([shape.m, shape.n], .f32), bs = MemoryDesc([1, shape.n], .f32)
            let attributes = activation.map { kind -> PrimitiveAttributes in
                let made = PrimitiveAttributes()
                made.setPostOps([.eltwise(kind)], sumType: .f32)
                return made
            }
            let threads = Kernels.threadsFor(work: shape.m * shape.k * shape.n, perThread: Kernels.convMACsPerThread)
            let prim = Kernels.matmulPrimitive(a, b, y, bias: bias ? bs : nil, attributes: attributes, threads: threads, what: key)
            let p = PreparedPrimitive(prim)
            p.threads = threads
            p.bind(DNNL_ARG_SRC, plain: a, chosen: prim.md(dnnl_query_src_md), isOutput: false)
            p.bind(DNNL_ARG_WEIGHTS, plain: b, chosen: prim.md(dnnl_query_weights_md), isOutput: false)
            if bias { p.bind(DNNL_ARG_BIAS, plain: bs, chosen: prim.md(dnnl_query_weights_md, 1), isOutput: false) }
            p.bind(DNNL_ARG_DST, plain: y, chosen: prim.md(dnnl_query_dst_md), isOutput: true)
            return p
        }
        let none = PreparedPrimitive.Argument(pointer: UnsafeMutableRawPointer(bitPattern: 64)!, isPlain: true)
        let slots = primitive.slots
        arguments = [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST].map { (slots[$0]!, none) } + (bias ? [(slots[DNNL_ARG_BIAS]!, none)] : [])
    }

    func matches(_ shape: (m: Int, k: Int, n: Int), bias: Bool, activation: EltwiseKind?) -> Bool {
        shape == (m, k, n) && bias == hasBias && activation == self.activation
    }

    /// Runs on plain `a`, `b`, `bias` and a new plain `y`.
    func run(_ a: Tensor, _ b: Tensor, _ bias: Tensor?, _ y: Tensor) {
        arguments[0].1 = .init(a)
        arguments[1].1 = .init(b)
        arguments[2].1 = .init(y)
        if let bias, arguments.count > 3 { arguments[3].1 = .init(bias) }
        withExtendedLifetime(a) { withExtendedLifetime(b) { withExtendedLifetime(bias) { withExtendedLifetime(y) {
            primitive.run(slots: arguments)
        } } } }
    }
}
