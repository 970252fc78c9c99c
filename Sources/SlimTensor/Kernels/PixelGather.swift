import CDNNL
import Foundation

extension Kernels {
    /// Nearest-neighbour pixel gather on a 4-D 8-bit tensor held channels-last (NHWC, the layout
    /// the int8 convolutions write): `out[n, c, k, l] = x[n, c, rows[k], cols[l]]`, each output
    /// pixel one copy of its C bytes, the result channels-last too, so neither side is reordered.
    /// Nil when `x` is not such a tensor (the caller gathers on plain values).
    public static func gatherPixelsChannelsLast(_ x: Tensor, rows: [Int], cols: [Int]) -> Tensor? {
        guard x.dtype == .s8 || x.dtype == .u8, x.isChannelsLast else { return nil }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(rows.allSatisfy { (0..<h).contains($0) } && cols.allSatisfy { (0..<w).contains($0) }, "pixel gather out of range")
        let shape = [n, c, rows.count, cols.count]
        let out = Tensor(uninitializedShape: shape, dtype: x.dtype, layout: channelsLastLayout(shape, x.dtype))
        let src = UnsafeRawPointer(x.buffer.pointer), dst = out.buffer.pointer
        for image in 0..<n {
            let from = src + image * h * w * c, to = dst + image * rows.count * cols.count * c
            for (k, r) in rows.enumerated() {
                for (l, col) in cols.enumerated() {
                    (to + (k * cols.count + l) * c).copyMemory(from: from + (r * w + col) * c, byteCount: c)
                }
            }
        }
        return out
    }

    /// The dense channels-last (NHWC) descriptor of an NCHW `shape`.
    static func channelsLast(_ shape: [Int], _ dtype: DType) -> MemoryDesc {
        let (c, h, w) = (shape[1], shape[2], shape[3])
        return MemoryDesc(shape, strides: [h * w * c, 1, w * c, c], dtype)
    }

    /// The (interned) layout of `channelsLast(shape, dtype)`, looked up by shape and type: kernels
    /// that write channels-last ask for it on every call, and `TensorLayout.make` names the
    /// descriptor in a string first.
    static func channelsLastLayout(_ shape: [Int], _ dtype: DType) -> TensorLayout {
        let key = shape + [dtype.code]
        channelsLastLock.lock(); defer { channelsLastLock.unlock() }
        if let known = channelsLastLayouts[key] { return known }
        let made = TensorLayout.make(channelsLast(shape, dtype))
        channelsLastLayouts[key] = made
        return made
    }

    nonisolated(unsafe) private static var channelsLastLayouts: [[Int]: TensorLayout] = [:]
    private static let channelsLastLock = NSLock()
}
