import SlimTensor

/// A mini-batch: `images` is `[N, C, H, W]` f32, `labels` is `[N, 1]` s32.
public struct Batch: Equatable, Sendable {
    public var images: Tensor
    public var labels: Tensor
    /// The data set indices of the samples, in batch order.
    public var indices: [Int]

    public init(images: Tensor, labels: Tensor, indices: [Int]) {
        precondition(images.shape.first == indices.count && labels.shape == [indices.count, 1], "batch shape mismatch")
        self.images = images
        self.labels = labels
        self.indices = indices
    }

    /// Number of samples `N`.
    public var count: Int { indices.count }
}
