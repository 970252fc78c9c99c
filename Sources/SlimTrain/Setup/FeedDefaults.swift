import SlimConfig

/// The defaults of a reader section: slim's `TrainReader`, `EvalReader` and `TestReader`, or a
/// PaddleDetection 0.1 feed class (`ppdet/data/data_feed.py`) when the section is named after
/// one (`train_feed: YoloTrainFeed` and a `YoloTrainFeed:` section).
///
/// Feed class keys: `batch_size`, `image_shape`, `dataset`, `sample_transforms`,
/// `batch_transforms`, `num_max_boxes`, `mixup_epoch`, `shuffle`, `drop_last`,
/// `with_background`, `samples`, `num_workers` (decode threads), `bufsize` (images prepared
/// ahead: `ceil(bufsize / batch_size)` batches) and `use_process` (accepted, no effect).
struct FeedDefaults {
    /// The feed class, nil for slim's reader sections.
    var feedClass: String?
    var batchSize: Int
    var shuffle: Bool
    var dropLast: Bool
    var imageShape: [Int]
    var withBackground = false
    var numMaxBoxes = 50
    /// `mixup_epoch` (-1: no mixup).
    var mixupEpoch = -1
    /// `num_workers`.
    var workers = 2
    /// `bufsize` (feeds) in images.
    var bufferedImages = 10

    init(section: String, reader: ModelConfig.Reader) {
        let training = reader == .train
        if ModuleRegistry.feedClasses.contains(section) {
            feedClass = section
            batchSize = section == "YoloTestFeed" ? 1 : 8
            let trainFeed = section == "YoloTrainFeed"
            (shuffle, dropLast, imageShape) = (trainFeed, trainFeed, [3, 608, 608])
            (workers, bufferedImages, mixupEpoch) = (8, 128, trainFeed ? 250 : -1)
        } else {
            feedClass = nil
            (batchSize, shuffle, dropLast, imageShape) = (training ? 64 : 256, training, training, [1, 28, 28])
        }
    }

    /// The data set type of a feed's `dataset` without `type:` (PaddleDetection picks the loader
    /// by the annotation file): `VOCDataSet` for a `.txt` annotation, else `COCODataSet` (the
    /// Yolo feeds' default data set). Slim's readers default to `FashionMNIST`.
    func datasetType(_ dataset: Node?) -> String {
        guard feedClass != nil else { return "FashionMNIST" }
        let annotation = dataset?["annotation"]?.text ?? ""
        return annotation.lowercased().hasSuffix(".txt") ? "VOCDataSet" : "COCODataSet"
    }

    /// Batches prepared ahead: a reader's `prefetch` (default 2), a feed's
    /// `ceil(bufsize / batch_size)` (at least 1).
    func prefetch(_ v: NodeValues, batchSize: Int) throws -> Int {
        guard feedClass != nil else { return try v.int("prefetch", 2) }
        let images = try v.int("bufsize", bufferedImages)
        guard images >= 0 else { throw v.error("bufsize", "must be >= 0, got \(images)") }
        return max(1, (images + batchSize - 1) / batchSize)
    }

    /// The per-image transforms of a feed section without `sample_transforms` (a slim reader
    /// without `transforms` has none but `ToTensor`).
    ///
    /// The Yolo feeds' evaluation chain of data_feed.py with slim's transforms: decode to RGB in
    /// [0, 1], bilinear resize to `image_shape`, normalize by ImageNet's mean and std
    /// (`NormalizeImage(is_scale=True)`, `Permute(to_bgr=False)`); 1-channel images are not
    /// normalized. The training feed's augmentation of data_feed.py (mixup, color distortion,
    /// expand, crop, flip, random interpolation, random shape) is not applied here.
    static func sampleTransforms(feedClass: String?, imageShape: [Int]) throws -> [any Transform] {
        guard feedClass != nil else { return [ToTensor()] }
        var list: [any Transform] = [ToTensor(), try Resize(size: ImageSize(height: imageShape[1], width: imageShape[2]))]
        if imageShape[0] == 3 {
            list.append(try Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]))
        }
        return list
    }

    /// The per-image transforms of the reader section `section` (its mapping `node`): a slim
    /// reader's `transforms`, a feed class's `sample_transforms`, else the feed class's default.
    static func transforms(_ node: Node?, section: String, imageShape: [Int]) throws -> [any Transform] {
        let feedClass = ModuleRegistry.feedClasses.contains(section) ? section : nil
        if feedClass != nil, node?["sample_transforms"] == nil {
            return try sampleTransforms(feedClass: feedClass, imageShape: imageShape)
        }
        let key = feedClass == nil ? "transforms" : "sample_transforms"
        return try ReaderSpec.transforms(node?[key], path: "\(section).\(key)")
    }

    /// The batch transforms of a section: none are applied by slim's loader, so a non-empty
    /// `batch_transforms` is a config error at it.
    static func batchTransforms(_ node: Node?, at v: NodeValues) throws -> [any Transform] {
        guard let items = node?.items, !items.isEmpty else { return [] }
        throw v.error("batch_transforms", "slim's loader applies no batch transforms; move per-image transforms to sample_transforms")
    }
}
