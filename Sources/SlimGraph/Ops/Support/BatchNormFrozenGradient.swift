import SlimTensor

/// The gradient of a batch norm that normalised with fixed (running) statistics, where mean and
/// variance do not depend on X: per channel c, with `inv = 1 / sqrt(var_c + eps)`,
/// `dX = dY * scale_c * inv`, `dScale_c = sum(dY * (X - mean_c) * inv)`, `dShift_c = sum(dY)`.
enum BatchNormFrozenGradient {
    static func compute(dy: Tensor, x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor, epsilon: Float)
        -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *), n = x.shape[0]
        let gamma = scale.floats, mu = mean.floats, inv = variance.floats.map { 1 / ($0 + epsilon).squareRoot() }
        var dx = Tensor(shape: x.shape)
        var dScale = [Float](repeating: 0, count: c), dShift = [Float](repeating: 0, count: c)
        dx.withUnsafeMutableFloats { out in
            x.withUnsafeFloats { xs in
                dy.withUnsafeFloats { ds in
                    for b in 0..<n {
                        for ch in 0..<c {
                            let base = (b * c + ch) * inner
                            for i in base..<(base + inner) {
                                out[i] = ds[i] * gamma[ch] * inv[ch]
                                dScale[ch] += ds[i] * (xs[i] - mu[ch]) * inv[ch]
                                dShift[ch] += ds[i]
                            }
                        }
                    }
                }
            }
        }
        return (dx, Tensor(shape: [c], floats: dScale), Tensor(shape: [c], floats: dShift))
    }
}
