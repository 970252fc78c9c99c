import Dispatch
import SlimTensor

/// The element loops over large tensors split across the OpenMP threads oneDNN uses
/// (`Kernels.threads`), which sleep between kernels: contiguous chunks of whole vectors, so every
/// element gets the same formula as in one pass (the results are the same bits whatever the split).
extension FakeQuantKernel {
    /// The fewest elements a chunk of its own is worth (smaller tensors stay on the calling thread).
    static let minimumChunk = 1 << 15

    /// Contiguous ranges covering `0..<n`, at most one per thread and none below `minimumChunk`
    /// (a single range when `n` is small); boundaries are multiples of the vector width.
    static func chunks(_ n: Int) -> [Range<Int>] {
        let count = max(1, min(Kernels.threads ?? 1, n / minimumChunk))
        guard count > 1 else { return [0..<n] }
        let size = ((n + count - 1) / count + width - 1) / width * width
        return (0..<count).map { k in min(n, k * size) ..< min(n, (k + 1) * size) }.filter { !$0.isEmpty }
    }

    /// Runs `body` on each of `chunks(n)`, concurrently when there are several.
    static func forEachChunk(_ n: Int, _ body: (Range<Int>) -> Void) {
        let parts = chunks(n)
        guard parts.count > 1 else { return body(0..<n) }
        DispatchQueue.concurrentPerform(iterations: parts.count) { body(parts[$0]) }
    }

    /// The largest of `maximum` over the chunks of `x` (`absMax` or `finiteAbsMax`: both are >= 0
    /// and skip NaN, so the maximum of the chunks' maxima is the maximum over all of `x`).
    static func parallelMax(_ x: UnsafeBufferPointer<Float>, _ maximum: (UnsafeBufferPointer<Float>) -> Float) -> Float {
        let parts = chunks(x.count)
        guard parts.count > 1 else { return maximum(x) }
        var maxima = [Float](repeating: 0, count: parts.count)
        maxima.withUnsafeMutableBufferPointer { m in
            DispatchQueue.concurrentPerform(iterations: parts.count) { k in m[k] = maximum(UnsafeBufferPointer(rebasing: x[parts[k]])) }
        }
        return maxima.reduce(0) { max($0, $1) }
    }
}

extension FakeQuantKernel {
    /// Runs `body` on contiguous ranges covering the blocks `0..<blocks` of `blockSize` elements
    /// each (a per-channel tensor's channels), at most one range per thread and none below
    /// `minimumChunk` elements, concurrently when there are several: each block gets the same
    /// computation whatever the split.
    static func forEachBlockRange(_ blocks: Int, blockSize: Int, _ body: (Range<Int>) -> Void) {
        let count = max(1, min(Kernels.threads ?? 1, blocks, blocks * blockSize / minimumChunk))
        guard count > 1 else { return body(0..<blocks) }
        let size = (blocks + count - 1) / count
        let parts = (0..<count).map { k in min(blocks, k * size) ..< min(blocks, (k + 1) * size) }.filter { !$0.isEmpty }
        DispatchQueue.concurrentPerform(iterations: parts.count) { body(parts[$0]) }
    }

    /// `absMaxCheckingFinite` over the chunks of `x`: the largest maximum, and whether every
    /// chunk is finite.
    static func parallelAbsMaxCheckingFinite(_ x: UnsafeBufferPointer<Float>) -> (max: Float, finite: Bool) {
        let parts = chunks(x.count)
        guard parts.count > 1 else { return absMaxCheckingFinite(x) }
        var results = [(max: Float, finite: Bool)](repeating: (0, true), count: parts.count)
        results.withUnsafeMutableBufferPointer { r in
            DispatchQueue.concurrentPerform(iterations: parts.count) { k in r[k] = absMaxCheckingFinite(UnsafeBufferPointer(rebasing: x[parts[k]])) }
        }
        return (results.reduce(0) { max($0, $1.max) }, results.allSatisfy(\.finite))
    }
}
