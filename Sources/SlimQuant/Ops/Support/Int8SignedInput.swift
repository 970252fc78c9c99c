import SlimTensor

/// Exact int8 products with signed (s8) activations on CPUs without AVX-512 VNNI.
///
/// Without VNNI oneDNN is exact only for u8 activations in 0...127 (any s8 weights); for s8
/// activations it halves the weights. So a signed `x` is split into its positive and negative
/// parts `p = max(x, 0)`, `n = max(-x, 0)` (u8 in 0...127 and 0...128: an asymmetric input
/// shifted to s8 reaches -128; a pair of products `128 * 127 * 2` still fits oneDNN's s16
/// intermediate), stacked along the reduction
/// axis, and the weights are stacked with their negation:
///
///     Σ_k x_k w_k = Σ_k p_k w_k + Σ_k n_k (-w_k)
///
/// One kernel call on twice the reduction length, exact, with the usual epilogue (bias, scales,
/// post-ops, u8/s8 output). Weights of -128 (never produced by slim's symmetric quantization)
/// negate to 127.
enum Int8SignedInput {
    /// x [N, C, H, W] s8, w [O, C/g, KH, KW] s8 -> x' [N, 2C, H, W] u8 (`Kernels.signedParts`, per
    /// group: the group's positive channels, then its negative ones; channels-last when x is),
    /// w' [O, 2C/g, KH, KW] = [w, -w] on axis 1.
    static func conv(_ x: Tensor, filter w: Tensor, groups: Int) -> (Tensor, Tensor) {
        let xx = Kernels.signedParts(x, groups: groups)
        let ww = StackedWeightCache.shared.value(w, kind: "conv g\(groups)") {
            stacked(w, rows: w.shape[0], block: w.count / w.shape[0], shape: [w.shape[0], 2 * w.shape[1]] + w.shape[2...])
        }
        return (xx, ww)
    }

    /// a [M, K] s8, b [K, N] s8 -> a' [M, 2K] u8 = [p | n], b' [2K, N] = [b ; -b].
    static func matmul(_ a: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
        let (m, k) = (a.shape[0], a.shape[1])
        let aa = Tensor(shape: [m, 2 * k], dtype: .u8)
        // The plain bytes of both (`aa` is new and held here alone); a recorded kernel, so a
        // replayed run splits again (`PrimitiveRecording.host`).
        let source = a.storage, target = aa.storage
        let src = UnsafePointer(source.pointer.assumingMemoryBound(to: Int8.self)), dst = target.pointer.assumingMemoryBound(to: UInt8.self)
        PrimitiveRecording.host(reading: [source], writing: [target]) {
            for row in 0..<m {
                for col in 0..<k {
                    let v = Int16(src[row * k + col])
                    dst[row * 2 * k + col] = UInt8(max(v, 0))
                    dst[row * 2 * k + k + col] = UInt8(max(-v, 0))
                }
            }
        }
        return (aa, StackedWeightCache.shared.value(b, kind: "matmul") { stacked(b, rows: 1, block: b.count, shape: [2 * k, b.shape[1]]) })
    }

    /// Each of `rows` blocks of `block` values followed by its negation.
    private static func stacked(_ w: Tensor, rows: Int, block: Int, shape: [Int]) -> Tensor {
        var out = Tensor(shape: shape, dtype: .s8)
        w.withUnsafeElements(as: Int8.self) { src in
            out.withUnsafeMutableElements(as: Int8.self) { dst in
                for r in 0..<rows {
                    for i in 0..<block {
                        let v = src[r * block + i]
                        dst[2 * r * block + i] = v
                        dst[2 * r * block + block + i] = v == Int8.min ? Int8.max : -v
                    }
                }
            }
        }
        return out
    }
}
