import SlimTensor

/// Synchronized batch norm (PaddleDetection's `norm_type: sync_bn`): under data parallelism
/// every `batch_norm` op normalises in training with the statistics of the global batch (every
/// process's shard) instead of its own, so N processes with batch B compute what one process
/// with batch N x B computes. As in PaddleDetection (its `sync_batch_norm` build strategy,
/// chosen by the backbone's `norm_type`) every batch norm of the program is synchronized.
///
/// Forward, per channel c over the global M = sum_r M_r values (`reduction` sums
/// `(M_r, sum x, sum x^2)` over the processes, one f64 buffer per op):
///
///     mean_c = sum x / M,   var_c = sum x^2 / M - mean_c^2   (biased),
///     Y = Scale * (X - mean) / sqrt(var + eps) + Bias         (oneDNN with given statistics)
///
/// and the running variance takes `var * M / (M - 1)` with the global M (as Paddle).
///
/// Backward, with `x̂ = (X - mean) / sqrt(var + eps)` and `dY` first masked by
/// `Scale * x̂ + Bias > 0` when `fuse_with_relu`: the sums `sum dY` and `sum dY * x̂` are summed over the processes and
///
///     dX = Scale / sqrt(var + eps) * (dY - sum dY / M - x̂ * sum (dY * x̂) / M),
///
/// the exact gradient of the global normalisation. Each process's `dY` is its loss's (the mean
/// over its own batch, N times the global mean's share), so dX is N times the gradient of the
/// global mean loss, which the average of the weight gradients over the processes divides again.
/// `dScale = sum dY * x̂` and `dBias = sum dY` are this process's own sums (its share): their
/// average over the processes is the global gradient.
///
/// Without a `reduction` (one process, or `norm_type: bn`) batch norm is per process.
public enum SyncBatchNorm {
    /// Element-wise sum over every process, in place (the same op order on every process); nil in one process.
    public nonisolated(unsafe) static var reduction: ((inout [Double]) -> Void)?

    /// Whether training batch norms normalise with the global batch's statistics.
    static var applies: Bool { reduction != nil }

    /// The global mean, biased variance and count of each channel of `x` ([N, C, ...]).
    static func statistics(_ x: Tensor) -> (mean: Tensor, variance: Tensor, count: Int) {
        let c = x.shape[1]
        var sums = [Double](repeating: 0, count: 1 + 2 * c)
        sums[0] = Double(x.count / c)
        forEachChannel(x) { ch, i, xs in
            let v = Double(xs[i])
            sums[1 + ch] += v
            sums[1 + c + ch] += v * v
        }
        reduction?(&sums)
        let m = sums[0]
        let mean = (0..<c).map { sums[1 + $0] / m }
        let variance = (0..<c).map { max(0, sums[1 + c + $0] / m - mean[$0] * mean[$0]) }
        return (Tensor(shape: [c], floats: mean.map(Float.init)), Tensor(shape: [c], floats: variance.map(Float.init)), Int(m))
    }

    /// dX (with the global sums), dScale and dBias (this process's sums) of the op normalised with
    /// the global `mean`, `variance` over `count` values; with `reluShift` (the op's Bias) the op
    /// was fused with a ReLU and `dY` counts only where `Scale * x̂ + Bias > 0`.
    static func gradients(dy: Tensor, x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor, epsilon: Float,
                          count: Int, reluShift: Tensor? = nil) -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let c = x.shape[1], gamma = scale.floats.map(Double.init), beta = reluShift?.floats.map(Double.init)
        let mu = mean.floats.map(Double.init), inv = variance.floats.map { 1 / (Double($0) + Double(epsilon)).squareRoot() }
        var masked = [Double](repeating: 0, count: x.count)   // dY (masked by the ReLU), plain order
        var sums = [Double](repeating: 0, count: 2 * c)
        dy.withUnsafeFloats { ds in
            forEachChannel(x) { ch, i, xs in
                let xhat = (Double(xs[i]) - mu[ch]) * inv[ch]
                let d = beta.map { gamma[ch] * xhat + $0[ch] > 0 } ?? true ? Double(ds[i]) : 0
                masked[i] = d
                sums[ch] += d
                sums[c + ch] += d * xhat
            }
        }
        let local = sums
        reduction?(&sums)
        let m = Double(count)
        var dx = Tensor(shape: x.shape)
        dx.withUnsafeMutableFloats { out in
            forEachChannel(x) { ch, i, xs in
                let xhat = (Double(xs[i]) - mu[ch]) * inv[ch]
                out[i] = Float(gamma[ch] * inv[ch] * (masked[i] - sums[ch] / m - xhat * sums[c + ch] / m))
            }
        }
        return (dx, Tensor(shape: [c], floats: local[c...].map(Float.init)), Tensor(shape: [c], floats: local[..<c].map(Float.init)))
    }

    /// Calls `body(channel, index, elements)` for every element of `x` ([N, C, ...], plain order).
    private static func forEachChannel(_ x: Tensor, _ body: (Int, Int, UnsafeBufferPointer<Float>) -> Void) {
        let n = x.shape[0], c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
        x.withUnsafeFloats { xs in
            for b in 0..<n {
                for ch in 0..<c {
                    let base = (b * c + ch) * inner
                    for i in base..<(base + inner) { body(ch, i, xs) }
                }
            }
        }
    }
}
