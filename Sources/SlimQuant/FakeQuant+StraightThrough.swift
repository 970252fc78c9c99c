import SlimGraph
import SlimTensor

/// The straight-through gradient without a new buffer where it can be had: written over the
/// incoming gradient, or not computed at all when the mask is known to be all ones.
extension FakeQuant {
    /// `max |x|` (`absMax`, in memory order) and whether every element of `x` is finite: then the
    /// straight-through mask of the scale `max |x|` is all ones (`|x| <= max |x|`, and an all-zero
    /// tensor passes the guarded scale too).
    public static func absMaxCheckingFinite(_ x: Tensor) -> (max: Float, finite: Bool) {
        x.withUnsafeFloatsInMemoryOrder { FakeQuantKernel.parallelAbsMaxCheckingFinite($0) }
    }

    /// `channelAbsMax`, and whether every element of `x` is finite (every channel's mask all ones).
    public static func channelAbsMaxCheckingFinite(_ x: Tensor, channels: Int) -> (scales: [Float], finite: Bool) {
        precondition(channels > 0 && x.count % channels == 0, "\(channels) channels in \(x.shape)")
        let block = x.count / channels
        var results = [(max: Float, finite: Bool)](repeating: (0, true), count: channels)
        x.withUnsafeFloats { p in
            results.withUnsafeMutableBufferPointer { r in
                FakeQuantKernel.forEachBlockRange(channels, blockSize: block) { range in
                    for c in range { r[c] = FakeQuantKernel.absMaxCheckingFinite(UnsafeBufferPointer(rebasing: p[c * block ..< (c + 1) * block])) }
                }
            }
        }
        return (results.map(\.max), results.allSatisfy(\.finite))
    }

    /// `grad = straightThrough(grad, input: x, scales: scales)`, written over `grad`'s own bytes
    /// when nothing else holds them and `x` can be read in their order (one scale); else a new
    /// tensor. The same values either way.
    public static func applyStraightThrough(_ grad: inout Tensor, input x: Tensor, scales: [Float]) {
        precondition(grad.shape == x.shape, "gradient \(grad.shape) for input \(x.shape)")
        if scales.count == 1 {
            let s = scales[0]
            let done = grad.updateElementsInPlace(with: x) { g, src in
                FakeQuantKernel.forEachChunk(src.count) { r in
                    FakeQuantKernel.maskStraightThrough(UnsafeMutableBufferPointer(rebasing: g[r]), input: UnsafeBufferPointer(rebasing: src[r]), scale: s)
                }
            }
            if done { return }
        }
        grad = straightThrough(grad, input: x, scales: scales)
    }
}
