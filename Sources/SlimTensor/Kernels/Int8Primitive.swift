import CDNNL

/// What identifies an int8 primitive: its kernel, shapes, geometry, types and post-ops as
/// integers (`shape`) and its output scales bit for bit. A structured key: building key text for
/// 1024 per-channel scales on every call cost more than some of MobileNetV1's batch-1 convolutions.
struct Int8PrimitiveKey: Hashable {
    let shape: [Int]
    let scaleBits: [UInt32]
    private let scaleHash: UInt64

    init(shape: [Int], postOps: [PostOp], outputScales: [Float]) {
        var all = shape
        for op in postOps { op.encode(into: &all) }
        self.shape = all
        scaleBits = outputScales.map(\.bitPattern)
        scaleHash = outputScales.bitHash
    }

    static func == (a: Int8PrimitiveKey, b: Int8PrimitiveKey) -> Bool {
        a.scaleHash == b.scaleHash && a.shape == b.shape && a.scaleBits == b.scaleBits
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(scaleBits.count)
        hasher.combine(scaleHash)
    }
}

extension Kernels {
    /// The int8 primitive for `key`, made by `make` the first time.
    static func int8Primitive(_ key: Int8PrimitiveKey, make: () -> PreparedPrimitive) -> PreparedPrimitive {
        PrimitiveCache.shared.value(keyed: key, make)
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
    /// sum post-op reads, moved into that layout.
    static func int8Destination(_ p: PreparedPrimitive, shape: [Int], residual: Tensor?, outputType: DType) -> Tensor {
        guard let residual else { return output(p, DNNL_ARG_DST, shape: shape, dtype: outputType) }
        if let layout = p.layout(DNNL_ARG_DST) { return converted(residual, to: layout) }
        return residual.plain()
    }
}

extension Array where Element == Float {
    /// FNV-1a over the values' bit patterns.
    var bitHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in self { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
        return h
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
