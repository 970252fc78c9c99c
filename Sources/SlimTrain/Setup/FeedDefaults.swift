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
}
