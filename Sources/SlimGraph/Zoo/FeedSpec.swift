import SlimTensor

/// A named input of a model (Paddle's `feed_vars` entry): what a batch must provide under `name`.
///
/// Classification feeds `image` `[-1, C, H, W]` f32 and `label` `[-1, 1]` s32; a YOLOv3 detector
/// feeds `image` and `im_size` for inference and `gt_box`, `gt_label`, `gt_score` for training.
public struct FeedSpec: Codable, Hashable, Sendable {
    /// When a feed is needed.
    public enum Usage: String, Codable, Hashable, Sendable {
        /// Fed in every mode (training, evaluation, inference, calibration): the saved inference
        /// model's inputs.
        case inference
        /// Fed only to compute the training loss (labels, ground-truth boxes).
        case training
    }

    public var name: String
    /// The var's shape, `-1` for the batch dimension.
    public var shape: [Int]
    public var dtype: DType
    public var usage: Usage

    public init(name: String, shape: [Int], dtype: DType = .f32, usage: Usage) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.usage = usage
    }
}
