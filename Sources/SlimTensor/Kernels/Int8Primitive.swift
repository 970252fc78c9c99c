import CDNNL

/// A cached int8 primitive with the exact output scales compiled into it (its cache key carries
/// only a hash of them; see `Kernels.int8Primitive`).
final class Int8Primitive: @unchecked Sendable {
    let prepared: PreparedPrimitive
    let outputScales: [Float]

    init(_ prepared: PreparedPrimitive, outputScales: [Float]) {
        self.prepared = prepared
        self.outputScales = outputScales
    }

    /// Whether `scales` are bit for bit the ones compiled in.
    func compiles(_ scales: [Float]) -> Bool {
        scales.count == outputScales.count && zip(scales, outputScales).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}

extension Kernels {
    /// The int8 primitive for `key` (shapes, types, post-ops) and `outputScales`, made by `make`
    /// once. The cache key holds a 64-bit hash of the scales' bits instead of spelling out every
    /// scale on every call (1024 per layer in MobileNetV1); on a hash collision (other scales under
    /// the same key) a key spelling every scale is used, so a primitive never runs with another
    /// layer's scales.
    static func int8Primitive(_ key: String, outputScales: [Float], make: () -> PreparedPrimitive) -> PreparedPrimitive {
        let hashed = key + " s#" + String(outputScales.bitHash, radix: 16) + "/" + String(outputScales.count)
        let hit = PrimitiveCache.shared.value(hashed) { Int8Primitive(make(), outputScales: outputScales) }
        if hit.compiles(outputScales) { return hit.prepared }
        let spelled = key + " s[" + outputScales.map { String($0.bitPattern, radix: 16) }.joined(separator: ",") + "]"
        return PrimitiveCache.shared.value(spelled) { Int8Primitive(make(), outputScales: outputScales) }.prepared
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

extension Array where Element == PostOp {
    /// Cheap cache-key text (no reflection).
    var cacheKey: String {
        map { op -> String in
            switch op {
            case let .eltwise(kind): return kind.cacheKey
            case let .sum(scale): return "sum\(scale.bitPattern)"
            }
        }.joined(separator: ",")
    }
}
