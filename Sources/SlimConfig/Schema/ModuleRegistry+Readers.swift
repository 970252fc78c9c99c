extension ModuleRegistry {
    /// A reader section; `TrainReader`, `EvalReader`, `TestReader` and any section a `*_feed` names.
    static func reader(_ name: String, batchSize: Int, training: Bool) -> ModuleSchema {
        ModuleSchema(name, "Data reader: data set, batching and transforms.", [
            OptionSchema("batch_size", .int, "\(batchSize)", "Images per batch."),
            OptionSchema("shuffle", .bool, "\(training)", "Shuffle each pass with the seeded generator."),
            OptionSchema("drop_last", .bool, "\(training)", "Drop the last partial batch."),
            OptionSchema("prefetch", .int, "2", "Batches prepared ahead on a background thread."),
            OptionSchema("image_shape", .list(.int), "[1, 28, 28]", "Model input [C, H, W]."),
            OptionSchema("dataset", .module("Dataset"), "{type: FashionMNIST}", "Where the images come from."),
            OptionSchema("transforms", .list(.object(transformTags, aliases: [:])), "[]", "Applied in order to each image."),
            OptionSchema("sample_transforms", sampleTransformList, "[]", "PaddleDetection operators (0...255 pixels), instead of transforms."),
            OptionSchema("batch_transforms", batchTransformList, "[]", "Applied to each batch (RandomShape)."),
            OptionSchema("mixup_epoch", .int, "250", "Passes below it mix samples when sample_transforms has MixupImage."),
            OptionSchema("with_background", .bool, "false", "Detection data: class ids from 1, id 0 the background."),
            OptionSchema("num_max_boxes", .int, "50", "Detection data: objects per image in the padded ground truth."),
        ])
    }

    static let data: [ModuleSchema] = [
        reader("TrainReader", batchSize: 64, training: true),
        reader("EvalReader", batchSize: 256, training: false),
        reader("TestReader", batchSize: 1, training: false),
        ModuleSchema("Dataset", "A data set on disk.", [
            OptionSchema("type", .choice(["FashionMNIST", "MNIST", "IDX", "MNISTCSV", "ImageFolder", "VOCDataSet", "COCODataSet"]),
                         "FashionMNIST", "Format."),
            OptionSchema("dataset_dir", .string, "/usr/share/datasets/fashion-mnist",
                         "Directory of the files (`-d` overrides; VOCDataSet dataset/voc, COCODataSet dataset/coco)."),
            OptionSchema("split", .choice(["train", "test"]), "train", "Which split of an MNIST-style set (detection: the default annotation)."),
            OptionSchema("annotation", .string, nil,
                         "VOC list file (default trainval.txt / test.txt) or COCO JSON (default annotations/instances_{train,val}2017.json)."),
            OptionSchema("image_dir", .string, nil, "COCO image folder under dataset_dir (default train2017 / val2017)."),
            OptionSchema("use_default_label", .bool, "true", "VOC: the 20 VOC classes, else label_list.txt next to the list file."),
            OptionSchema("sample_num", .int, "-1", "Detection data: use only the first N images (-1 = all)."),
            OptionSchema("image_file", .string, nil, "IDX images file (type IDX)."),
            OptionSchema("label_file", .string, nil, "IDX labels file (type IDX)."),
            OptionSchema("csv_file", .string, nil, "CSV file: label,p0..p783 per line (type MNISTCSV)."),
            OptionSchema("num_samples", .int, "-1", "Use only the first N samples (-1 = all)."),
        ], usedIn: "TrainReader.dataset"),
        ModuleSchema("Normalize", "x = (x - mean) / std per channel.", [
            OptionSchema("mean", .list(.float), "[0.2860]", "Per-channel mean."),
            OptionSchema("std", .list(.float), "[0.3530]", "Per-channel standard deviation."),
        ], usedIn: "TrainReader.transforms[]"),
        ModuleSchema("RandomCrop", "Pad with zeros, then crop a random size x size window.", [
            OptionSchema("size", .int, "28", "Crop size."),
            OptionSchema("padding", .int, "0", "Zero padding on each side."),
        ], usedIn: "TrainReader.transforms[]"),
        ModuleSchema("RandomFlip", "Horizontal flip with probability prob.", [
            OptionSchema("prob", .float, "0.5", "Flip probability."),
        ], usedIn: "TrainReader.transforms[]"),
        ModuleSchema("Resize", "Bilinear resize to size x size.", [
            OptionSchema("size", .int, "28", "Output size."),
        ], usedIn: "TrainReader.transforms[]"),
        ModuleSchema("ToTensor", "Scale 8-bit pixels to [0, 1] (always applied first).", [], usedIn: "TrainReader.transforms[]"),
    ]

    static var builtinModules: [ModuleSchema] {
        [global] + architectures + detectionModules + [multiClassNMS] + schedules + optimizers + data + sampleTransformModules + feeds + slim + pruning + distillation
    }
}
