import CDNNL
import Foundation

extension Kernels {
    /// Nearest-neighbour pixel gather on a 4-D tensor held in a layout whose pixels are runs of
    /// channels: 8-bit channels-last (NHWC, the layout the int8 convolutions write) or f32 in
    /// channel blocks (`nChw8c`/`nChw16c`, the layout the FP32 convolutions write):
    /// `out[n, c, k, l] = x[n, c, rows[k], cols[l]]`, each output pixel one copy of its run of
    /// channels (padding lanes of a padded block included, so they stay zero), the result in the
    /// same kind of layout, so neither side is reordered. Nil for any other tensor (the caller
    /// gathers on plain values).
    public static func gatherPixelsInLayout(_ x: Tensor, rows: [Int], cols: [Int]) -> Tensor? {
        guard x.shape.count == 4, let layout = x.layout else { return nil }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let shape = [n, c, rows.count, cols.count]
        // Memory as [n][groups][h][w][run]: NHWC is one group of C, a channel-blocked layout
        // ceil(C / block) groups of `block`.
        let run: Int, groups: Int, target: TensorLayout
        if (x.dtype == .s8 || x.dtype == .u8) && x.isChannelsLast {
            (run, groups, target) = (c, 1, channelsLastLayout(shape, x.dtype))
        } else if x.dtype == .f32, let block = layout.denseChannelBlock, let blocked = layout.channelBlockedLayout(shape) {
            (run, groups, target) = (block, (c + block - 1) / block, blocked)
        } else {
            return nil
        }
        precondition(rows.allSatisfy { (0..<h).contains($0) } && cols.allSatisfy { (0..<w).contains($0) }, "pixel gather out of range")
        let out = Tensor(uninitializedShape: shape, dtype: x.dtype, layout: target, zeroPadding: false)
        let bytes = run * x.dtype.byteSize
        let src = UnsafeRawPointer(x.buffer.pointer), dst = out.buffer.pointer
        for plane in 0..<(n * groups) {
            let from = src + plane * h * w * bytes, to = dst + plane * rows.count * cols.count * bytes
            let rowBytes = cols.count * bytes
            for (k, r) in rows.enumerated() {
                if k > 0 && rows[k - 1] == r {   // the same source row (an upsample): copy the row just written
                    (to + k * rowBytes).copyMemory(from: to + (k - 1) * rowBytes, byteCount: rowBytes)
                    continue
                }
                for (l, col) in cols.enumerated() {
                    (to + k * rowBytes + l * bytes).copyMemory(from: from + (r * w + col) * bytes, byteCount: bytes)
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
