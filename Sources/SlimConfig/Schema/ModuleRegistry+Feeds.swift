extension ModuleRegistry {
    /// PaddleDetection 0.1's feed classes (`ppdet/data/data_feed.py`) slim reads: a model YAML
    /// names one with `train_feed:`, `eval_feed:` or `test_feed:` and configures it in the
    /// section of that name, with the class's defaults.
    public static let feedClasses = ["YoloTrainFeed", "YoloEvalFeed", "YoloTestFeed"]

    /// The schema a reader section is checked with: its feed class when `section` names one,
    /// else `fallback` (`TrainReader`, `EvalReader` or `TestReader`).
    public static func readerSchemaName(section: String, fallback: String) -> String {
        feedClasses.contains(section) ? section : fallback
    }

    /// A feed class: its data_feed.py defaults (`mixup_epoch` only for training feeds).
    static func feed(_ name: String, batchSize: Int, training: Bool, dataset: String, useProcess: Bool) -> ModuleSchema {
        var options = [
            OptionSchema("batch_size", .int, "\(batchSize)", "Images per batch."),
            OptionSchema("image_shape", .list(.int), "[3, 608, 608]", "Model input [C, H, W]."),
            OptionSchema("dataset", .module("Dataset"), dataset,
                         "Where the images come from; without `type`: VOCDataSet for a .txt annotation, else COCODataSet."),
            OptionSchema("sample_transforms", sampleTransformList, nil,
                         "PaddleDetection operators applied in order to each image, 0...255 pixels (default: the feed class's)."),
            OptionSchema("batch_transforms", batchTransformList, nil, "Applied to each batch, e.g. RandomShape (default: the feed class's)."),
            OptionSchema("num_max_boxes", .int, "50", "Objects per image in the padded ground truth."),
            OptionSchema("shuffle", .bool, "\(training)", "Shuffle each pass with the seeded generator."),
            OptionSchema("drop_last", .bool, "\(training)", "Drop the last partial batch."),
            OptionSchema("with_background", .bool, "false", "Class ids from 1, id 0 the background."),
            OptionSchema("samples", .int, "-1", "Use only the first N images (-1 = all)."),
            OptionSchema("num_workers", .int, "8", "Images decoded and transformed in parallel."),
            OptionSchema("bufsize", .int, "128", "Images prepared ahead (slim: ceil(bufsize / batch_size) batches, at least 1)."),
            OptionSchema("use_process", .bool, "\(useProcess)", unused: true, "Processes instead of threads in PaddleDetection; slim uses threads."),
        ]
        if training { options.insert(OptionSchema("mixup_epoch", .int, "250", "Epochs that mix pairs of images (MixupImage); -1: none."), at: 6) }
        return ModuleSchema(name, "PaddleDetection 0.1 feed class (data_feed.py): data set, batching and transforms.", options)
    }

    static let feeds: [ModuleSchema] = [
        feed("YoloTrainFeed", batchSize: 8, training: true,
             dataset: "{dataset_dir: dataset/coco, annotation: annotations/instances_train2017.json, image_dir: train2017}", useProcess: true),
        feed("YoloEvalFeed", batchSize: 8, training: false,
             dataset: "{dataset_dir: dataset/coco, annotation: annotations/instances_val2017.json, image_dir: val2017}", useProcess: false),
        feed("YoloTestFeed", batchSize: 1, training: false,
             dataset: "{dataset_dir: dataset/coco, annotation: annotations/instances_val2017.json, image_dir: val2017}", useProcess: false),
    ]
}
