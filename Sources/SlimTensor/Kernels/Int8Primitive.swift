import CDNNL
import Foundation

/// What identifies an int8 primitive: its kernel, shapes, geometry, types and post-ops as
/// integers (`shape`) and its output scales bit for bit. A structured key: building key text for
/// 1024 per-channel scales on every call cost more than some of MobileNetV1's batch-1 convolutions.
struct Int8PrimitiveKey: Hashable {
    let shape: [Int]
    /// Compared bit for bit (a -0 or NaN scale is its own key).
    let scales: [Float]

    init(shape: [Int], postOps: [PostOp], outputScales: [Float]) {
        var all = shape
        for op in postOps { op.encode(into: &all) }
        self.shape = all
        scales = outputScales
    }

    static func == (a: Int8PrimitiveKey, b: Int8PrimitiveKey) -> Bool {
        guard a.shape == b.shape, a.scales.count == b.scales.count else { return false }
        return a.scales.withUnsafeBytes { x in
            b.scales.withUnsafeBytes { y in
                guard let p = x.baseAddress, let q = y.baseAddress else { return true }   // both empty
                return memcmp(p, q, x.count) == 0
            }
        }
    }

    /// Shapes, the scale count and a few scales' bits (equality checks them all).
    func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(scales.count)
        guard let first = scales.first, let last = scales.last else { return }
        hasher.combine(first.bitPattern)
        hasher.combine(scales[scales.count / 2].bitPattern)
        hasher.combine(last.bitPattern)
    }
}

extension Kernels {
    /// Multiply-adds each thread of an int8 primitive gets at least. With sleeping OpenMP threads
    /// (`OMP_WAIT_POLICY=PASSIVE` with `GOMP_SPINCOUNT=0`) waking another thread costs about what a small
    /// layer's share saves, so layers under 512K multiply-adds per thread run on fewer threads
    /// (MobileNetV1 at batch 1, 2 threads: 0.78 ms, vs 0.86 ms at 2M and 0.89 ms at any size); with
    /// spinning threads (`ACTIVE`) every layer is split (0.53 ms, vs 0.68 ms at 2M). A batch of 64
    /// runs every layer on all threads either way.
    static let int8WorkPerThread: Int = threadsSpin ? 1 << 14 : 1 << 19

    /// The int8 primitive for `key`, made by `make` the first time, for `macs` multiply-adds per call:
    /// created (and later run, `withPrimitiveThreads`) on `macs / int8WorkPerThread` threads, at least one and at
    /// most the current OpenMP maximum. oneDNN sizes a primitive's per-thread split and scratch
    /// when it is created, so it must never run on more threads than that.
    static func int8Primitive(_ key: Int8PrimitiveKey, macs: Int, make: () -> PreparedPrimitive) -> PreparedPrimitive {
        PrimitiveCache.shared.value(int8: key) {
            let threads = threadsFor(work: macs, perThread: int8WorkPerThread)
            let p = withThreads(threads, make)
            p.threads = threads
            return p
        }
    }

    /// `body` on no more threads than `p` was created for (nor than the caller's current count).
    static func withPrimitiveThreads<R>(_ p: PreparedPrimitive, _ body: () -> R) -> R {
        let threads = p.threads.map { min($0, OpenMPThreads.maxThreads ?? $0) }
        return withThreads(threads, body)
    }

    /// `body` with the OpenMP thread count set to `n` (nil or the current count: unchanged), then restored.
    static func withThreads<R>(_ n: Int?, _ body: () throws -> R) rethrows -> R {
        guard let n, let current = OpenMPThreads.maxThreads, n != current else { return try body() }
        OpenMPThreads.set(n)
        defer { OpenMPThreads.set(current) }
        return try body()
    }

    /// `t` held in the layout `p` chose for constant argument `arg` (weights): reordered once per
    /// storage of `t` and reused by later calls (`PackedConstants`); `t` itself when that layout is
    /// plain or `t` is not plain.
    static func packedConstant(_ p: PreparedPrimitive, _ arg: Int32, _ t: Tensor) -> Tensor {
        guard let slot = p.slots[arg], let layout = slot.layout, t.layout == nil else { return t }
        return p.constants.value(arg, t) {
            let packed = Tensor(uninitializedShape: t.shape, dtype: t.dtype, layout: layout)
            ReorderPlan(from: slot.user.desc, to: slot.chosen).run(t.buffer.pointer, packed.buffer.pointer)
            return packed
        }
    }

    /// The destination of an int8 primitive: a new tensor in the layout `p` chose (u8 activations
    /// stay NHWC from one int8 convolution to the next, no reorder in between), or the residual a
    /// sum post-op reads, moved into that layout (as it is when it is held there already). A
    /// residual of the other 8-bit type is seen as `outputType` with the same bytes (a reorder
    /// between two descriptors of one type moves bytes; the sum post-op reads them as the
    /// residual's type).
    static func int8Destination(_ p: PreparedPrimitive, shape: [Int], residual: consuming Tensor?, outputType: DType) -> Tensor {
        guard var r = consume residual else { return output(p, DNNL_ARG_DST, shape: shape, dtype: outputType) }
        if r.dtype != outputType {
            if let layout = r.layout, let retyped = layout.retyped(outputType) {
                r = r.reinterpreted(as: outputType, layout: retyped)
            } else {
                r = r.plain().reinterpreted(as: outputType, layout: nil)
            }
        }
        return summedDestination(consume r, layout: p.layout(DNNL_ARG_DST))
    }
}

extension PostOp {
    /// Appends integers naming this post-op (kind, then its parameters' bit patterns).
    func encode(into key: inout [Int]) {
        switch self {
        case let .sum(scale): key += [100, Int(scale.bitPattern)]
        case .eltwise(.relu): key.append(101)
        case .eltwise(.relu6): key.append(102)
        case let .eltwise(.clip(lo, hi)): key += [103, Int(lo.bitPattern), Int(hi.bitPattern)]
        case let .eltwise(.linear(alpha, beta)): key += [104, Int(alpha.bitPattern), Int(beta.bitPattern)]
        case .eltwise(.tanh): key.append(105)
        case .eltwise(.sigmoid): key.append(106)
        case .eltwise(.exp): key.append(107)
        case .eltwise(.abs): key.append(108)
        case let .eltwise(.leakyRelu(alpha)): key += [109, Int(alpha.bitPattern)]
        case .eltwise(.hardSwish): key.append(110)
        case .eltwise(.round): key.append(111)
        }
    }
}

extension DType {
    /// A small integer per type, for primitive keys.
    var code: Int {
        switch self {
        case .f32: return 0
        case .s8: return 1
        case .u8: return 2
        case .s32: return 3
        }
    }
}
