import SlimConfig

extension ReaderSpec {
    /// A reader's per-sample transforms (`transforms`, or PaddleDetection's `sample_transforms`),
    /// its `batch_transforms` and `mixup_epoch` (default 250, YoloTrainFeed's).
    ///
    /// The YOLOv3 training program reads normalized boxes (`NormalizeBox`), so a YOLOv3 train
    /// reader whose transforms have no `NormalizeBox` gets one appended: after the last
    /// transform the boxes are in pixels of the final image, which it divides by its size.
    ///
    /// With `feedClass` (a PaddleDetection feed section, e.g. `YoloTrainFeed`), a section that
    /// lists neither `transforms` nor `sample_transforms` gets the class's defaults
    /// (`FeedTransformDefaults`), and its batch transforms unless it lists `batch_transforms`.
    /// - Throws: `ConfigError` for both transform lists at once, a bad transform, a
    ///   `RandomShape` without a `NormalizeBox` before it (it does not move pixel boxes), or a
    ///   `NormalizeBox` in an evaluation reader (the metric reads pixel boxes).
    /// - Parameter imageShape: the reader's resolved `image_shape` (the feed class defaults resize to it).
    static func pipelines(_ node: Node?, config: ModelConfig, training: Bool, at v: NodeValues, feedClass: String? = nil,
                          mixupEpoch: Int = 250, imageShape: [Int])
        throws -> (sample: [any Transform], batch: [any BatchTransform], mixupEpoch: Int) {
        let paddle = node?["sample_transforms"].map { $0.isSequence } ?? false
        let slimList = !(node?["transforms"]?.items ?? []).isEmpty
        if paddle, slimList {
            throw v.error("sample_transforms", "give either transforms (slim's, 0...1 pixels) or sample_transforms (PaddleDetection's), not both")
        }
        let defaults = try feedClass.flatMap { name in
            try FeedTransformDefaults.transforms(feedClass: name, imageShape: imageShape)
        }
        var sample = paddle ? try sampleTransforms(node?["sample_transforms"], path: "\(v.path).sample_transforms")
                            : try transforms(node?["transforms"], path: "\(v.path).transforms")
        if !paddle, !slimList, let defaults { sample = defaults.sample }
        if training, config.node("architecture")?.text == "YOLOv3", !sample.contains(where: { $0 is NormalizeBox }) {
            sample.append(NormalizeBox())
        }
        if !training, sample.contains(where: { $0 is NormalizeBox }) {
            throw v.error(paddle ? "sample_transforms" : "transforms", "evaluation reads the ground truth in pixels: NormalizeBox belongs in the train reader only")
        }
        let listed = node?["batch_transforms"].map { $0.isSequence } ?? false
        let batch = !listed && !paddle && !slimList ? defaults?.batch ?? []
            : try batchTransforms(node?["batch_transforms"], path: "\(v.path).batch_transforms")
        if batch.contains(where: { $0 is RandomShape }), !sample.contains(where: { $0 is NormalizeBox }) {
            throw v.error("batch_transforms", "RandomShape resizes the images of a batch but not their boxes: "
                          + "add `- !NormalizeBox {}` to sample_transforms so the boxes are normalized")
        }
        return (sample, batch, try v.int("mixup_epoch", mixupEpoch))
    }

    /// The transforms of a reader's `sample_transforms` list (PaddleDetection 0.1's operators,
    /// by tag, with their parameter names and defaults). Unlike `transforms`, no `ToTensor` runs
    /// first: the operators see 8-bit values in `0...255`, as after PaddleDetection's decoding.
    /// `RandomCrop` and `Resize` here are PaddleDetection's (`RandomBoxCrop`, `ResizeImage`).
    /// - Throws: `ConfigError` at the item for an unknown tag or a bad value.
    static func sampleTransforms(_ node: Node?, path: String) throws -> [any Transform] {
        try (node?.items ?? []).map { item in
            let v = NodeValues(node: item, path: "\(path).\(item.objectType ?? "?")")
            do {
                return try sampleTransform(item.objectType ?? "", v, at: item)
            } catch let error as DataError {
                throw ConfigError("\(item.objectType ?? "transform"): \(error)", at: item.mark)
            }
        }
    }

    private static func sampleTransform(_ type: String, _ v: NodeValues, at item: Node) throws -> any Transform {
        switch type {
        case "DecodeImage": return DecodeImage(toRGB: try v.bool("to_rgb", true), withMixup: try v.bool("with_mixup", false))
        case "MixupImage": return try MixupImage(alpha: try v.double("alpha", 1.5), beta: try v.double("beta", 1.5))
        case "ColorDistort":
            return try ColorDistort(hue: try v.doubles("hue") ?? [-18, 18, 0.5], saturation: try v.doubles("saturation") ?? [0.5, 1.5, 0.5],
                                    contrast: try v.doubles("contrast") ?? [0.5, 1.5, 0.5],
                                    brightness: try v.doubles("brightness") ?? [0.5, 1.5, 0.5], randomApply: try v.bool("random_apply", true))
        case "RandomExpand":
            let fill = v.node?["fill_value"]?.isSequence == true ? try v.doubles("fill_value") : try v.optionalDouble("fill_value").map { [$0] }
            return try RandomExpand(ratio: try v.double("ratio", 4), prob: try v.double("prob", 0.5), fillValue: fill ?? [127.5, 127.5, 127.5])
        case "RandomCrop":
            return try RandomBoxCrop(aspectRatio: try v.doubles("aspect_ratio") ?? [0.5, 2], thresholds: try v.doubles("thresholds") ?? [0, 0.1, 0.3, 0.5, 0.7, 0.9],
                                     scaling: try v.doubles("scaling") ?? [0.3, 1], numAttempts: try v.int("num_attempts", 50),
                                     allowNoCrop: try v.bool("allow_no_crop", true), coverAllBox: try v.bool("cover_all_box", false))
        case "RandomFlipImage": return try RandomFlipImage(prob: try v.double("prob", 0.5), isNormalized: try v.bool("is_normalized", false))
        case "Resize":
            let dims = v.node?["target_dim"]?.isSequence == true ? try v.ints("target_dim") ?? [] : [try v.int("target_dim", 0)]
            return try ResizeImage(targetDims: dims, maxSize: try v.int("max_size", 0), interp: try interpolation(v))
        case "NormalizeBox": return NormalizeBox()
        case "NormalizeImage":
            _ = try v.bool("is_channel_first", true)
            return try NormalizeImage(mean: try v.doubles("mean") ?? [0.485, 0.456, 0.406], std: try v.doubles("std") ?? [1, 1, 1],
                                      isScale: try v.bool("is_scale", true))
        case "Permute": return try Permute(toBGR: try v.bool("to_bgr", true), channelFirst: try v.bool("channel_first", true))
        case let other:
            throw ConfigError("unknown sample transform '\(other)'", at: item.mark, notes: ["valid: \(ModuleRegistry.sampleTransformTags.joined(separator: ", "))"])
        }
    }

    /// `interp`: an OpenCV code, `-1` or `random` (one drawn per sample); default 1 (linear).
    private static func interpolation(_ v: NodeValues) throws -> Interpolation {
        if v.node?["interp"]?.text == "random" { return .random }
        return try Interpolation(code: try v.int("interp", 1))
    }

    /// The transforms of a reader's `batch_transforms` list (`RandomShape`).
    /// - Throws: `ConfigError` at the item for an unknown tag or a bad value.
    static func batchTransforms(_ node: Node?, path: String) throws -> [any BatchTransform] {
        try (node?.items ?? []).map { item in
            let v = NodeValues(node: item, path: "\(path).\(item.objectType ?? "?")")
            guard item.objectType == "RandomShape" else {
                throw ConfigError("unknown batch transform '\(item.objectType ?? "?")'", at: item.mark, notes: ["valid: RandomShape"])
            }
            do {
                return try RandomShape(sizes: try v.ints("sizes") ?? [])
            } catch let error as DataError {
                throw ConfigError("RandomShape: \(error)", at: item.mark)
            }
        }
    }
}
