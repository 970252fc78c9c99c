import SlimTensor

/// Collects statistics of one tensor over calibration batches and turns them into the symmetric
/// threshold of post-training quantization (PyTorch's observer naming).
///
/// With `b` bits and `bin = 2^(b-1) - 1`, the threshold `s = scale` quantizes as everywhere in
/// SlimQuant (docs/ARCHITECTURE.md section 6):
///
///     q = round(bin / s * clip(x, -s, s)),   x ≈ q * s / bin
///
/// Observers differ only in how `s` is chosen from what they saw: the largest `|x|`
/// (`AbsMaxObserver`), the mean batch maximum (`AvgObserver`), a percentile of `|x|`
/// (`HistObserver`), the KL-optimal clip (`KLObserver`), the MSE-optimal clip (`MSEObserver`) or
/// the best of those by MSE (`MixObserver`). Values that are not finite are ignored.
public protocol Observer {
    /// Records one batch of the observed tensor (f32, any shape).
    mutating func observe(_ x: Tensor)
    /// The threshold `s` (0 before anything non-zero was observed; the quantizers then use
    /// `FakeQuant.minimumScale`).
    var scale: Float { get }
}
