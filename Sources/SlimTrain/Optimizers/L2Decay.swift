import SlimTensor

/// L2 weight regularisation folded into the gradient before the update (Fluid `L2Decay`):
/// `g' = g + factor * w`, for the parameters `appliesTo` accepts (e.g. not batch-norm scales and
/// offsets).
public struct L2Decay {
    public let factor: Float
    public let appliesTo: (String) -> Bool

    /// - Parameters:
    ///   - factor: the regularisation coefficient (`regularization.factor`).
    ///   - appliesTo: which parameter names are regularised; all by default.
    public init(factor: Float, appliesTo: @escaping (String) -> Bool = { _ in true }) {
        self.factor = factor
        self.appliesTo = appliesTo
    }

    /// Regularises every parameter whose name contains none of `fragments`
    /// (e.g. `["batch_norm", "bn"]` to leave batch-norm parameters alone).
    public static func excluding(_ fragments: [String], factor: Float) -> L2Decay {
        L2Decay(factor: factor) { name in !fragments.contains { name.contains($0) } }
    }

    /// `grad + factor * param` if this regulariser applies to `name`, else `grad`.
    public func regularized(grad: Tensor, param: Tensor, name: String) -> Tensor {
        guard factor != 0, appliesTo(name) else { return grad }
        var out = grad
        out.withUnsafeMutableFloats { g in
            param.withUnsafeFloats { w in
                for i in g.indices { g[i] += factor * w[i] }
            }
        }
        return out
    }
}
