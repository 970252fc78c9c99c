import SlimTensor

/// The gradient of a softmax along one axis (no oneDNN primitive at the kernel API):
/// `dX = Y * (dY - sum_axis(dY * Y))`, computed per (outer, inner) position.
enum SoftmaxGradient {
    static func input(dy: Tensor, output y: Tensor, axis: Int) -> Tensor {
        precondition(dy.shape == y.shape && axis >= 0 && axis < y.shape.count, "softmax gradient \(dy.shape) vs \(y.shape) axis \(axis)")
        let n = y.shape[axis]
        let outer = y.shape[..<axis].reduce(1, *), inner = y.shape[(axis + 1)...].reduce(1, *)
        var dx = Tensor(shape: y.shape)
        dx.withUnsafeMutableFloats { out in
            y.withUnsafeFloats { ys in
                dy.withUnsafeFloats { ds in
                    for o in 0..<outer {
                        for j in 0..<inner {
                            let base = o * n * inner + j
                            var dot: Float = 0
                            for k in 0..<n { dot += ds[base + k * inner] * ys[base + k * inner] }
                            for k in 0..<n { out[base + k * inner] = ys[base + k * inner] * (ds[base + k * inner] - dot) }
                        }
                    }
                }
            }
        }
        return dx
    }
}
