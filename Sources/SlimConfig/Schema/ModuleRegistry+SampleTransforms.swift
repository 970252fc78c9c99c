extension ModuleRegistry {
    /// The tags of a reader's `sample_transforms` (PaddleDetection 0.1's operators).
    public static let sampleTransformTags = ["DecodeImage", "MixupImage", "ColorDistort", "RandomExpand", "RandomCrop",
                                             "RandomFlipImage", "Resize", "NormalizeBox", "NormalizeImage", "Permute"]
    /// `sample_transforms` spell PaddleDetection's crop and resize with the names slim's
    /// `transforms` use for its own; their schemas are registered under distinct names.
    static let sampleTransformAliases = ["RandomCrop": "RandomBoxCrop", "Resize": "ResizeImage"]

    /// The option types of a reader's transform lists.
    static let sampleTransformList = OptionType.list(.object(sampleTransformTags.map { sampleTransformAliases[$0] ?? $0 },
                                                             aliases: sampleTransformAliases))
    static let batchTransformList = OptionType.list(.object(["RandomShape"], aliases: [:]))

    static let sampleTransformModules: [ModuleSchema] = [
        ModuleSchema("DecodeImage", "Channel order of the decoded image (slim's data sets decode RGB).", [
            OptionSchema("to_rgb", .bool, "true", "RGB (true) or OpenCV's BGR (false)."),
            OptionSchema("with_mixup", .bool, "false", "Also convert the attached mixup sample."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("MixupImage", "Blend with a second sample (f ~ Beta(alpha, beta)) while the pass is below mixup_epoch.", [
            OptionSchema("alpha", .float, "1.5", "Beta distribution alpha."),
            OptionSchema("beta", .float, "1.5", "Beta distribution beta."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("ColorDistort", "Random hue, saturation, contrast, brightness ([lower, upper, prob] each).", [
            OptionSchema("hue", .list(.float), "[-18, 18, 0.5]", "Hue rotation setting."),
            OptionSchema("saturation", .list(.float), "[0.5, 1.5, 0.5]", "Saturation factor setting."),
            OptionSchema("contrast", .list(.float), "[0.5, 1.5, 0.5]", "Contrast factor setting."),
            OptionSchema("brightness", .list(.float), "[0.5, 1.5, 0.5]", "Brightness offset setting."),
            OptionSchema("random_apply", .bool, "true", "Random order (YOLO) or the fixed SSD order."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("RandomExpand", "Place the image on a larger canvas; boxes move with it.", [
            OptionSchema("ratio", .float, "4.0", "Largest expansion ratio."),
            OptionSchema("prob", .float, "0.5", "Skipped when a uniform draw is below prob."),
            OptionSchema("fill_value", .any, "[127.5, 127.5, 127.5]", "Canvas value per channel (or one number)."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("RandomBoxCrop", "PaddleDetection's RandomCrop (tag !RandomCrop): IoU-constrained crop, boxes clipped.", [
            OptionSchema("aspect_ratio", .list(.float), "[0.5, 2.0]", "Crop aspect ratio range."),
            OptionSchema("thresholds", .list(.float), "[0.0, 0.1, 0.3, 0.5, 0.7, 0.9]", "IoU thresholds to try."),
            OptionSchema("scaling", .list(.float), "[0.3, 1.0]", "Crop scale range."),
            OptionSchema("num_attempts", .int, "50", "Windows tried per threshold."),
            OptionSchema("allow_no_crop", .bool, "true", "Keeping the image is one of the choices."),
            OptionSchema("cover_all_box", .bool, "false", "Every box must reach the threshold."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("RandomFlipImage", "Horizontal flip with its boxes.", [
            OptionSchema("prob", .float, "0.5", "Flip probability."),
            OptionSchema("is_normalized", .bool, "false", "Boxes are normalized to [0, 1] (else pixels)."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("ResizeImage", "PaddleDetection 0.1's Resize (tag !Resize): to target_dim, boxes scaled and clipped.", [
            OptionSchema("target_dim", .any, nil, required: true, "Output size (a list: one drawn per sample)."),
            OptionSchema("max_size", .int, "0", "When > 0 keep the aspect ratio, the longer side at most max_size."),
            OptionSchema("interp", .any, "1", "OpenCV code: 0 nearest, 1-4 bilinear in slim; -1 or random: drawn per sample."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("NormalizeBox", "Box corners divided by the image width and height.", [], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("NormalizeImage", "x = (x [/ 255] - mean) / std per channel.", [
            OptionSchema("mean", .list(.float), "[0.485, 0.456, 0.406]", "Per-channel mean."),
            OptionSchema("std", .list(.float), "[1, 1, 1]", "Per-channel standard deviation."),
            OptionSchema("is_scale", .bool, "true", "Divide by 255 first."),
            OptionSchema("is_channel_first", .bool, "true", "Accepted; slim's images are always CHW."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("Permute", "RGB to BGR with to_bgr (images are already CHW).", [
            OptionSchema("to_bgr", .bool, "true", "Reverse the channel order."),
            OptionSchema("channel_first", .bool, "true", "Must be true (slim's images are CHW)."),
        ], usedIn: "TrainReader.sample_transforms[]"),
        ModuleSchema("RandomShape", "Per batch, resize every image to a size drawn from sizes (nearest).", [
            OptionSchema("sizes", .list(.int), "[]", "Candidate sizes."),
        ], usedIn: "TrainReader.batch_transforms[]"),
    ]
}
