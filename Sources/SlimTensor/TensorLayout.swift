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

    private init(desc: MemoryDesc, key: String) {
        self.desc = desc
        self.key = key
        byteCount = desc.byteSize
    }

    private static var interned: [String: TensorLayout] = [:]
    private static let lock = NSLock()

    /// The layout of `desc`, or nil when `desc` is plain row-major over `shape` and `dtype`.
    static func make(_ desc: MemoryDesc, shape: [Int], dtype: DType) -> TensorLayout? {
        if shape.count <= 5, desc.equals(MemoryDesc(shape, dtype)) { return nil }
        let key = desc.layoutKey
        lock.lock(); defer { lock.unlock() }
        if let known = interned[key] { return known }
        let made = TensorLayout(desc: desc, key: key)
        interned[key] = made
        return made
    }

    /// Whether `other` describes the same layout.
    func matches(_ other: MemoryDesc) -> Bool { desc.equals(other) }
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

    private static func values(_ tuple: dnnl_dims_t, _ n: Int) -> [Int64] {
        withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: Int64.self).prefix(n)) }
    }
}
