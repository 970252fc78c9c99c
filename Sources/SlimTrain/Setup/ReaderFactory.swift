import Foundation
import SlimConfig

/// A reader section (`TrainReader`, `EvalReader`, `TestReader` or the section a `*_feed`
/// names) built into a data set, transforms and loader settings.
public struct ReaderSpec {
    public var section: String
    public var dataset: any Dataset
    public var transforms: [any Transform]
    public var batchSize: Int
    public var shuffle: Bool
    public var dropLast: Bool
    public var prefetch: Int
    /// `[C, H, W]` the model expects.
    public var imageShape: [Int]
    /// Objects per sample in the padded ground truth of detection data (`num_max_boxes`).
    public var numMaxBoxes: Int
    /// Applied to each batch before stacking (`batch_transforms`).
    public var batchTransforms: [any BatchTransform] = []
    /// PaddleDetection's `mixup_epoch`: passes below it mix pairs of images (with a `MixupImage`).
    public var mixupEpoch: Int
    /// A feed's `num_workers`: images decoded and transformed in parallel.
    public var workers: Int

    /// The largest `batch_size` (2^20 images; keeps batch and pass counts far from overflow).
    public static let maxBatchSize = 1 << 20

    /// Reads `reader`'s section of `config`; `datasetDir` (the CLI's `-d`) replaces `dataset_dir`.
    /// - Throws: `ConfigError` for bad values, `DataError` for missing or malformed data files.
    public init(_ config: ModelConfig, reader: ModelConfig.Reader, datasetDir: String? = nil) throws {
        section = config.readerSection(reader)
        let node = config.node(section)
        let v = NodeValues(node: node, path: section)
        let training = reader == .train
        let defaults = FeedDefaults(section: section, reader: reader)
        batchSize = try v.int("batch_size", defaults.batchSize)
        shuffle = try v.bool("shuffle", defaults.shuffle)
        dropLast = try v.bool("drop_last", defaults.dropLast)
        imageShape = try v.ints("image_shape") ?? defaults.imageShape
        numMaxBoxes = try v.int("num_max_boxes", defaults.numMaxBoxes)
        workers = try v.int("num_workers", defaults.workers)
        let withBackground = try v.bool("with_background", defaults.withBackground)
        guard workers >= 0 else { throw v.error("num_workers", "must be >= 0, got \(workers)") }
        guard (1...Self.maxBoxesPerSample).contains(numMaxBoxes) else {
            throw v.error("num_max_boxes", "must be in 1...\(Self.maxBoxesPerSample), got \(numMaxBoxes)")
        }
        guard (1...Self.maxBatchSize).contains(batchSize) else { throw v.error("batch_size", "must be in 1...\(Self.maxBatchSize), got \(batchSize)") }
        prefetch = try defaults.prefetch(v, batchSize: batchSize)
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else { throw v.error("image_shape", "must be [C, H, W], got \(imageShape)") }
        let datasetType = node?["dataset"]?["type"]?.text ?? defaults.datasetType(node?["dataset"])
        if DetectionType(rawValue: datasetType) != nil, ![1, 3].contains(imageShape[0]) {
            throw v.error("image_shape", "detection images are read as 1 (gray) or 3 (RGB) channels, got \(imageShape)")
        }
        dataset = try Self.dataset(node?["dataset"], path: "\(section).dataset", split: training ? "train" : "test",
                                   imageShape: imageShape, datasetDir: datasetDir, withBackground: withBackground,
                                   defaultType: defaults.datasetType(node?["dataset"]))
        if defaults.feedClass != nil {
            let samples = try v.int("samples", -1)
            if samples >= 0 { dataset = SubsetDataset(AnyDataset(dataset), prefix: samples) }
        }
        (transforms, batchTransforms, mixupEpoch) = try Self.pipelines(node, config: config, training: training, at: v,
                                                                       feedClass: defaults.feedClass, mixupEpoch: defaults.mixupEpoch,
                                                                       imageShape: imageShape)
        let produced = try transforms.outputShape(dataset.imageShape)
        if dataset.annotatesBoxes { try Self.requireOneShape(transforms, from: dataset.imageShape, at: v) }
        guard produced == imageShape else {
            throw v.error("image_shape", "the data set's images become \(produced) after the transforms, but image_shape is \(imageShape)")
        }
    }

    /// A loader over this reader (the eval pass uses `evalBatches()`); under `mpirun`, this
    /// rank's shard of global batches of `batchSize` x ranks (`DataShard`).
    public func loader(seed: UInt64, state: LoaderState = LoaderState()) throws -> DataLoader {
        try DataLoader(dataset: dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                       transforms: transforms, seed: seed, prefetch: prefetch, state: state, numMaxBoxes: numMaxBoxes,
                       batchTransforms: batchTransforms, mixupEpoch: mixupEpoch, shard: try DataShard.current())
    }

    /// Samples of one training step over every process: `batch_size` x the `mpirun` ranks
    /// (PaddleDetection's multi-card batch size), `batch_size` outside `mpirun`.
    public var globalBatchSize: Int { batchSize * (MPIWorld.launchedRanks()?.size ?? 1) }

    /// The data set of a reader's `dataset` node; `withBackground` is the reader's
    /// `with_background` (detection types), `defaultType` the type when the node has no `type`.
    static func dataset(_ node: Node?, path: String, split: String, imageShape: [Int], datasetDir: String?,
                        withBackground: Bool = false, defaultType: String = "FashionMNIST") throws -> any Dataset {
        let v = NodeValues(node: node, path: path)
        let splitValue = IDXDataset.Split(rawValue: v.string("split", split) ?? split) ?? .train
        let type = v.string("type", defaultType) ?? defaultType
        if let detection = DetectionType(rawValue: type) {
            let base = try detection.dataset(v, split: splitValue, channels: imageShape[0], datasetDir: datasetDir, withBackground: withBackground)
            let n = try v.int("sample_num", try v.int("num_samples", -1))
            return n >= 0 ? SubsetDataset(base, prefix: n) : base
        }
        let dir = datasetDir ?? v.string("dataset_dir", IDXDataset.defaultFashionMNISTDirectory)!
        let base: any Dataset
        switch type {
        case "FashionMNIST": base = try IDXDataset.fashionMNIST(dir: dir, split: splitValue)
        case "MNIST": base = try IDXDataset.mnist(dir: dir, split: splitValue)
        case "IDX":
            guard let images = v.string("image_file", nil), let labels = v.string("label_file", nil) else {
                throw v.error("type", "type IDX needs image_file and label_file")
            }
            base = try IDXDataset(images: joined(dir, images), labels: joined(dir, labels))
        case "MNISTCSV":
            guard let csv = v.string("csv_file", nil) else { throw v.error("type", "type MNISTCSV needs csv_file") }
            base = try MNISTCSVDataset(path: joined(dir, csv))
        case "ImageFolder":
            base = try ImageFolderDataset(root: dir, channels: imageShape[0], size: ImageSize(height: imageShape[1], width: imageShape[2]))
        default:
            throw v.error("type", "unknown data set type '\(type)' (FashionMNIST, MNIST, IDX, MNISTCSV, ImageFolder, VOCDataSet, COCODataSet)")
        }
        let n = try v.int("num_samples", -1)
        return n >= 0 ? SubsetDataset(AnyDataset(base), prefix: n) : base
    }

    static func joined(_ dir: String, _ file: String) -> String {
        file.hasPrefix("/") ? file : (dir as NSString).appendingPathComponent(file)
    }

    /// `ToTensor` first (always, once), then the listed transforms in order.
    static func transforms(_ node: Node?, path: String) throws -> [any Transform] {
        var list: [any Transform] = [ToTensor()]
        for item in node?.items ?? [] {
            let v = NodeValues(node: item, path: "\(path).\(item.objectType ?? "?")")
            do {
                switch item.objectType ?? "" {
                case "ToTensor": continue
                case "Normalize":
                    list.append(try Normalize(mean: (try v.doubles("mean") ?? [0.2860]).map(Float.init),
                                              std: (try v.doubles("std") ?? [0.3530]).map(Float.init)))
                case "RandomCrop": list.append(try RandomCrop(size: ImageSize(try v.int("size", 28)), padding: try v.int("padding", 0)))
                case "RandomFlip": list.append(try RandomFlip(prob: Float(try v.double("prob", 0.5))))
                case "Resize": list.append(try Resize(size: ImageSize(try v.int("size", 28))))
                case let other:
                    throw ConfigError("unknown transform '\(other)'", at: item.mark, notes: ["valid: Normalize, RandomCrop, RandomFlip, Resize, ToTensor"])
                }
            } catch let error as DataError {
                throw ConfigError("\(item.objectType ?? "transform"): \(error)", at: item.mark)
            }
        }
        return list
    }
}

/// A type-erased data set (so a subset can wrap any of them).
struct AnyDataset: Dataset {
    let base: any Dataset
    init(_ base: any Dataset) { self.base = base }
    var count: Int { base.count }
    var imageShape: [Int] { base.imageShape }
    var classNames: [String]? { base.classNames }
    var annotatesBoxes: Bool { base.annotatesBoxes }
    func sample(_ i: Int) throws -> Sample { try base.sample(i) }
    func sampleName(_ i: Int) -> String { base.sampleName(i) }
}
