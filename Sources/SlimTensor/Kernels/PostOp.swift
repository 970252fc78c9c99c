/// An operation fused after a primitive's main computation (oneDNN post-op), applied in order to
/// the f32 value v = outputScale * (accumulator + bias) before conversion to the output type.
public enum PostOp: Hashable, Sendable {
    /// v = f(v).
    case eltwise(EltwiseKind)
    /// v = v + scale * residual (the `residual` tensor the kernel is given: a fused shortcut add).
    case sum(scale: Float)

    /// v = max(v, 0).
    public static let relu = PostOp.eltwise(.relu)
    /// v = min(max(v, 0), 6).
    public static let relu6 = PostOp.eltwise(.relu6)
    /// v = min(max(v, lo), hi).
    public static func clip(lo: Float, hi: Float) -> PostOp { .eltwise(.clip(lo: lo, hi: hi)) }

    /// Checks a chain oneDNN 2.6 computes correctly: at most one `sum` and at most one `linear`
    /// (two eltwise_linear post-ops with different alphas give wrong results on avx512 kernels).
    static func validate(_ ops: [PostOp], hasResidual: Bool) {
        let sums = ops.filter { if case .sum = $0 { return true } else { return false } }.count
        let linears = ops.filter { if case .eltwise(.linear) = $0 { return true } else { return false } }.count
        precondition(sums <= 1, "at most one sum post-op")
        precondition(linears <= 1, "at most one linear post-op (oneDNN 2.6.3 bug with two)")
        precondition((sums == 1) == hasResidual, "a sum post-op needs a residual tensor, and a residual needs a sum post-op")
    }
}
