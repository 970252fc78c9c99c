import SlimConfig

extension ReaderSpec {
    /// The largest `num_max_boxes` (keeps the padded ground truth of a batch small).
    public static let maxBoxesPerSample = 1 << 16

    /// The detection data set types of a reader's `dataset`, as PaddleDetection names them.
    ///
    /// Keys (PaddleDetection's): `dataset_dir` (`-d` replaces it), `annotation` (relative to
    /// `dataset_dir`), `image_dir` (COCO: folder of the images, relative to `dataset_dir`; VOC
    /// lists carry the image paths), `use_default_label` (VOC: the 20 VOC classes, else the list
    /// folder's `label_list.txt`), `sample_num` (first N records, -1 = all). The reader section
    /// carries `with_background` and `num_max_boxes`, as PaddleDetection's feeds do.
    enum DetectionType: String {
        case voc = "VOCDataSet"
        case coco = "COCODataSet"

        /// `dataset_dir` when neither the YAML nor `-d` gives one.
        var defaultDirectory: String { self == .voc ? "dataset/voc" : "dataset/coco" }

        /// `annotation` when not given: the lists `slim dataset fashion-voc` writes, or COCO 2017.
        func defaultAnnotation(_ split: IDXDataset.Split) -> String {
            switch self {
            case .voc: return split == .train ? "trainval.txt" : "test.txt"
            case .coco: return "annotations/instances_\(split == .train ? "train" : "val")2017.json"
            }
        }

        /// Reads the records and builds the data set.
        /// - Throws: `ConfigError` for a wrong value type, `DataError` for missing or malformed files.
        func dataset(_ v: NodeValues, split: IDXDataset.Split, channels: Int, datasetDir: String?,
                     withBackground: Bool) throws -> DetectionDataset {
            let dir = datasetDir ?? v.string("dataset_dir", defaultDirectory) ?? defaultDirectory
            let annotation = v.string("annotation", defaultAnnotation(split)) ?? defaultAnnotation(split)
            switch self {
            case .voc:
                return try .voc(datasetDir: dir, annotation: annotation, useDefaultLabel: try v.bool("use_default_label", true),
                                withBackground: withBackground, channels: channels)
            case .coco:
                let images = v.string("image_dir", split == .train ? "train2017" : "val2017") ?? ""
                return try .coco(datasetDir: dir, annotation: annotation, imageDir: images,
                                 withBackground: withBackground, channels: channels)
            }
        }
    }

    /// A detector's `num_classes` must be the class count of its train data's label map (the 20
    /// VOC classes with `use_default_label: true`, else the lines of `label_list.txt`; one more
    /// with `with_background: true`).
    /// - Throws: `ConfigError` at `num_classes` naming both counts and the data set's classes.
    public func checkClassCount(_ config: ModelConfig) throws {
        guard dataset.annotatesBoxes, let names = dataset.classNames else { return }
        let classes = try config.int("num_classes") ?? 10
        let expected = names.count  // "background" first with with_background: true
        guard classes != expected else { return }
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
        throw ConfigError("num_classes is \(classes) but the \(section) data set has \(names.count) classes (\(shown))",
                          at: config.node("num_classes")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                          notes: ["set num_classes: \(expected)",
                                  "use_default_label: true means the 20 Pascal VOC classes; false reads label_list.txt next to the list file"])
    }

    /// Detection images keep their own sizes, so the transforms must map every size to one
    /// shape (a `Resize`): checked by sending `shape` and a different size through them.
    /// - Throws: `ConfigError` at the reader's `transforms` when the output depends on the size.
    static func requireOneShape(_ transforms: [any Transform], from shape: [Int], at v: NodeValues) throws {
        let other = [shape[0], shape[1] + 7, shape[2] + 5]
        guard let produced = try? transforms.outputShape(shape), (try? transforms.outputShape(other)) == produced else {
            throw v.error("transforms", "detection images keep their own sizes: add a Resize so that every image"
                          + " becomes image_shape (e.g. `- !Resize {size: 320}` for image_shape [3, 320, 320])")
        }
    }
}
