import CDNNL
import Foundation

/// A oneDNN memory layout other than plain row-major (e.g. `nChw8c`, channels blocked by 8) that a
/// tensor's bytes may be held in between kernels, so consecutive primitives skip the reorders to
/// and from plain NCHW.
///
/// Instances are interned per layout (`make`), so equal layouts are usually the same object.
final class TensorLayout: @unchecked Sendable {
    let desc: MemoryDesc
    /// Dims, data type and blocking: equal keys are equal layouts.
    let key: String
    /// Bytes the layout occupies (blocked channels are padded).
    let byteCount: Int

    /// Layouts of other dims blocked like this one and the reorders to and from plain row-major,
    /// made once (kernels ask for them on every call).
    private var relatives: [[Int]: TensorLayout] = [:]
    private var plainReorders: (toPlain: ReorderPlan, fromPlain: ReorderPlan)?
    private var retypedLayouts: [DType: TensorLayout] = [:]

    private init(desc: MemoryDesc, key: String) {
        self.desc = desc
        self.key = key
        byteCount = desc.byteSize
    }

    private static var interned: [String: TensorLayout] = [:]
    private static let lock = NSRecursiveLock()

    /// The layout of `dims` (same rank) blocked like this one (see `channelBlocked`), nil when it is
    /// not channel-blocked.
    func channelBlockedLayout(_ dims: [Int]) -> TensorLayout? {
        Self.lock.lock(); defer { Self.lock.unlock() }
        if let known = relatives[dims] { return known }
        guard let desc = channelBlocked(dims, .f32) else { return nil }
        let made = Self.make(desc)
        relatives[dims] = made
        return made
    }

    /// This layout with elements of `dtype` (same dims and element strides), when it holds exactly
    /// the tensor's elements: blocked format, no padding, no extra data (compensation), offset 0.
    /// An element-wise map can then write its result in the same order it reads (`Tensor.mapElements`).
    func retyped(_ dtype: DType) -> TensorLayout? {
        Self.lock.lock(); defer { Self.lock.unlock() }
        if let known = retypedLayouts[dtype] { return known }
        let raw = desc.raw
        let n = Int(raw.ndims)
        let dims = MemoryDesc.values(raw.dims, n), padded = MemoryDesc.values(raw.padded_dims, n)
        guard raw.format_kind == dnnl_blocked, raw.extra.flags == 0, raw.offset0 == 0, dims == padded else { return nil }
        var other = desc
        other.raw.data_type = dtype.dnnl
        let made = other.raw.data_type == raw.data_type ? self : Self.make(other)
        retypedLayouts[dtype] = made
        return made
    }

    /// Copies bytes held in this layout at `source` to plain row-major at `destination`, or back.
    func reorder(_ source: UnsafeMutableRawPointer, _ destination: UnsafeMutableRawPointer, toPlain: Bool) {
        Self.lock.lock()
        if plainReorders == nil {
            var plain = desc
            var dims = MemoryDesc.values(desc.raw.dims, Int(desc.raw.ndims))
            DNNL.check(dnnl_memory_desc_init_by_tag(&plain.raw, desc.raw.ndims, &dims, desc.raw.data_type, MemoryDesc.plainTag(rank: dims.count)),
                       "plain memory desc")
            plainReorders = (ReorderPlan(from: desc, to: plain), ReorderPlan(from: plain, to: desc))
        }
        let plan = toPlain ? plainReorders!.toPlain : plainReorders!.fromPlain
        Self.lock.unlock()
        plan.run(source, destination)
    }

    /// The (interned) layout of `desc`, a descriptor that is not plain row-major.
    static func make(_ desc: MemoryDesc) -> TensorLayout {
        let key = desc.layoutKey
        lock.lock(); defer { lock.unlock() }
        if let known = interned[key] { return known }
        let made = TensorLayout(desc: desc, key: key)
        interned[key] = made
        return made
    }

    /// Whether `other` describes the same layout.
    func matches(_ other: MemoryDesc) -> Bool { desc.equals(other) }

    /// The channel block (8 for `nChw8c`) of a 4-D layout blocked over channels only; nil otherwise.
    var channelBlock: Int? {
        let blocking = desc.raw.format_desc.blocking
        guard desc.raw.ndims == 4, desc.raw.format_kind == dnnl_blocked, blocking.inner_nblks == 1, blocking.inner_idxs.0 == 1,
              blocking.strides.1 >= blocking.strides.2, blocking.strides.2 >= blocking.strides.3 else { return nil }
        return Int(blocking.inner_blks.0)
    }

    /// The channel block b of a 4-D layout that holds its elements densely as
    /// [N][ceil(C / b)][H][W][b] (`nChw8c`, `nChw16c`: the padded channels of the last block
    /// included, no offset, no extra data); nil for any other layout.
    var denseChannelBlock: Int? {
        let raw = desc.raw, blocking = raw.format_desc.blocking
        guard let block = channelBlock, raw.offset0 == 0, raw.extra.flags == 0 else { return nil }
        let dims = MemoryDesc.values(raw.dims, 4), padded = MemoryDesc.values(raw.padded_dims, 4)
        let strides = MemoryDesc.values(blocking.strides, 4)
        let (b, h, w) = (Int64(block), dims[2], dims[3])
        guard padded[0] == dims[0], padded[2] == h, padded[3] == w, padded[1] % b == 0 else { return nil }
        return strides == [padded[1] * h * w, b * h * w, w * b, b] ? block : nil
    }

    /// The channel count padded up to the block, when this is a channel-blocked layout whose
    /// channels are not a multiple of the block (6 channels in blocks of 8); nil otherwise.
    var paddedChannels: Int? {
        guard desc.raw.ndims == 4, desc.raw.format_kind == dnnl_blocked, desc.raw.format_desc.blocking.inner_nblks == 1,
              desc.raw.format_desc.blocking.inner_idxs.0 == 1, desc.raw.padded_dims.1 > desc.raw.dims.1 else { return nil }
        return Int(desc.raw.padded_dims.1)
    }

    /// A descriptor of `dims` (same rank) blocked like this layout, when it is a 4-D layout with
    /// channels (dim 1) in blocks of 4, 8 or 16 (`nChw8c`...); nil otherwise. A per-channel
    /// operand [1, C, 1, 1] in this form lets oneDNN's jit binary broadcast it.
    func channelBlocked(_ dims: [Int], _ dtype: DType) -> MemoryDesc? {
        let blocking = desc.raw.format_desc.blocking
        guard desc.raw.ndims == 4, dims.count == 4, desc.raw.format_kind == dnnl_blocked, blocking.inner_nblks == 1,
              blocking.inner_idxs.0 == 1 else { return nil }
        let tag: dnnl_format_tag_t
        switch blocking.inner_blks.0 {
        case 4: tag = dnnl_aBcd4b
        case 8: tag = dnnl_aBcd8b
        case 16: tag = dnnl_aBcd16b
        default: return nil
        }
        return MemoryDesc(dims, dtype, tag: tag)
    }
}

extension TensorLayout {
    /// Whether `other` holds tensors of the same dims and data type (in another layout or this one).
    func sameElements(as other: TensorLayout) -> Bool {
        let a = desc.raw, b = other.desc.raw
        return a.ndims == b.ndims && a.data_type == b.data_type
            && MemoryDesc.values(a.dims, Int(a.ndims)) == MemoryDesc.values(b.dims, Int(b.ndims))
    }
}

extension MemoryDesc {
    /// A string naming dims, data type and blocking of a blocked descriptor.
    var layoutKey: String {
        let n = Int(raw.ndims)
        let blocking = raw.format_desc.blocking
        let dims = Self.values(raw.dims, n), strides = Self.values(blocking.strides, n)
        let nblks = Int(blocking.inner_nblks)
        let blocks = Self.values(blocking.inner_blks, nblks), idxs = Self.values(blocking.inner_idxs, nblks)
        return "\(dims) t\(raw.data_type.rawValue) k\(raw.format_kind.rawValue) s\(strides) b\(blocks) i\(idxs) e\(raw.extra.flags)"
    }

    fileprivate static func values(_ tuple: dnnl_dims_t, _ n: Int) -> [Int64] {
        withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: Int64.self).prefix(n)) }
    }
}
