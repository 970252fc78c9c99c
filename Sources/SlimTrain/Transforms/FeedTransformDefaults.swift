/// The transforms a PaddleDetection 0.1 feed class (`ppdet/data/data_feed.py`) applies when its
/// YAML section lists no `sample_transforms` / `batch_transforms`.
///
/// - `YoloTrainFeed`: `DecodeImage(to_rgb, with_mixup)`, `MixupImage(1.5, 1.5)`, `ColorDistort`,
///   `RandomExpand(fill_value [123.675, 116.28, 103.53])`, `RandomCrop`,
///   `RandomFlipImage(is_normalized: false)`, `Resize(side, interp: random)`, `NormalizeBox`,
///   `NormalizeImage(ImageNet mean and std, is_scale)`, `Permute(to_bgr: false)`; per batch
///   `RandomShape(320, 352, ..., 608)`.
/// - `YoloEvalFeed`, `YoloTestFeed`: `DecodeImage(to_rgb)`, `Resize(side, interp: 2)`, the same
///   `NormalizeImage` and `Permute`; no batch transform.
///
/// `side` is `image_shape`'s width (608 in the reference's defaults), as the reference's eval
/// and test feeds replace their resize target by `image_shape[-1]`; the train feed uses it too,
/// so that its samples have `image_shape` before `RandomShape` resizes each batch.
public enum FeedTransformDefaults {
    /// The feed classes with defaults here.
    public static let feedClasses = ["YoloTrainFeed", "YoloEvalFeed", "YoloTestFeed"]

    /// ImageNet's mean and standard deviation on `[0, 1]` RGB values.
    static let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225]

    /// The default transforms of `feedClass` for images of `imageShape` `[C, H, W]`; nil for a
    /// feed class without defaults here.
    /// - Throws: `DataError.invalidConfiguration` for an `imageShape` that is not `[C, H, W]`
    ///   with positive sizes.
    public static func transforms(feedClass: String, imageShape: [Int]) throws -> (sample: [any Transform], batch: [any BatchTransform])? {
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidConfiguration("image_shape must be [C, H, W] with positive sizes, got \(imageShape)")
        }
        let side = imageShape[2]
        let tail: [any Transform] = [try NormalizeImage(mean: mean, std: std, isScale: true), try Permute(toBGR: false)]
        switch feedClass {
        case "YoloTrainFeed":
            let sample: [any Transform] = [
                DecodeImage(toRGB: true, withMixup: true), try MixupImage(alpha: 1.5, beta: 1.5), try ColorDistort(),
                try RandomExpand(fillValue: [123.675, 116.28, 103.53]), try RandomBoxCrop(), try RandomFlipImage(isNormalized: false),
                try ResizeImage(targetDims: [side], interp: .random), NormalizeBox(),
            ]
            return (sample + tail, [try RandomShape(sizes: Array(stride(from: 320, through: 608, by: 32)))])
        case "YoloEvalFeed", "YoloTestFeed":
            return ([DecodeImage(toRGB: true), try ResizeImage(targetDims: [side], interp: .code(2))] + tail, [])
        default:
            return nil
        }
    }
}
