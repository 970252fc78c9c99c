/// The values the command fuzzer draws from. Every value keeps a run tiny when it is accepted:
/// counts that would make a valid run long (epochs, batches) only come as small, zero, negative
/// or overflowing numbers. Paths that must not be written are under /proc (unwritable, even as root)
/// or go through a file (`model.yml/...`).
enum FuzzValues {
    /// Wrong for almost any option: zero, negative, overflowing, non-finite, mistyped, empty, missing paths.
    static let hostile = [
        "0", "-1", "-7", "99999999999999999999", "-99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "1e308", ".nan", ".inf", "-.inf", "1.5", "abc", "'12'", "", "''", "[]", "[1, 2]", "{}", "{a: 1}", "~", "true",
        "!Bogus {x: 1}", "/proc/slim-fuzz/missing",
    ]

    /// Model YAML options (`-o KEY=VALUE`) with values a user could plausibly try.
    static let model: [(key: String, values: [String])] = [
        ("max_iters", ["1", "2", "0", "-3"]),
        ("epoch", ["1", "2", "0", "-1"]),
        ("seed", ["0", "-5", "18446744073709551615", "123"]),
        ("log_iter", ["1", "0", "-1", "1000"]),
        ("snapshot_iter", ["1", "0"]),
        ("num_classes", ["10", "11", "1", "0", "-2", "3", "100000"]),
        ("save_dir", ["out2", "''", "model.yml/sub", "/proc/slim-fuzz/out", "'a b'"]),
        ("metric", ["top5", "loss", "accuracy"]),
        ("architecture", ["LeNet5", "LeNet", "ResNet", "MobileNetV1"]),
        ("LeNet5.dropout", ["0.5", "1", "1.5", "-0.1"]),
        ("threads", ["0", "1", "-1", "100000"]),
        ("use_gpu", ["true", "1"]),
        ("train_feed", ["EvalReader", "NoSuchReader", "''"]),
        ("eval_feed", ["TrainReader", "NoSuchReader"]),
        ("class_names", ["[a, b]", "[]", "abc"]),
        ("TrainReader", ["~", "[]", "{}"]),
        ("TrainReader.batch_size", ["1", "3", "0", "-4", "100000"]),
        ("TrainReader.shuffle", ["false", "0"]),
        ("TrainReader.drop_last", ["false", "true"]),
        ("TrainReader.prefetch", ["0", "-1", "5", "100000"]),
        ("TrainReader.image_shape", ["[1, 28, 28]", "[3, 28, 28]", "[1, 32, 32]", "[0, 28, 28]", "[1, 28]", "[1, 99999999999, 28]", "[]"]),
        ("TrainReader.dataset", ["{type: FashionMNIST}", "[]", "~", "{type: MNIST, num_samples: 20}"]),
        ("TrainReader.dataset.num_samples", ["1", "0", "-2", "17", "99999999"]),
        ("TrainReader.dataset.type", ["MNIST", "IDX", "MNISTCSV", "ImageFolder", "CIFAR"]),
        ("TrainReader.dataset.split", ["test", "validation"]),
        ("TrainReader.dataset.dataset_dir", ["/proc/slim-fuzz/missing", "''", "model.yml", ".", "imgs"]),
        ("TrainReader.transforms", transforms),
        ("EvalReader.batch_size", ["1", "7", "0", "-1", "100000"]),
        ("EvalReader.dataset.num_samples", ["1", "0", "-3", "7", "99999999"]),
        ("EvalReader.dataset.split", ["train"]),
        ("EvalReader.image_shape", ["[1, 28, 28]", "[1, 14, 14]", "[2, 28, 28]"]),
        ("EvalReader.transforms", transforms),
        ("LearningRate", ["~", "0.1", "[]"]),
        ("LearningRate.base_lr", ["0", "-0.1", "1e9", "1e308", ".nan", ".inf", "0.001"]),
        ("LearningRate.schedulers", schedulers),
        ("OptimizerBuilder.optimizer", ["{type: SGD}", "{type: Adam, beta1: 1, beta2: 1}", "{type: AdamW, epsilon: 0}",
                                        "{type: Momentum, momentum: -1}", "{type: Nadam}", "!Adam {}", "[]", "SGD"]),
        ("OptimizerBuilder.optimizer.momentum", ["1", "-0.5", "1e308"]),
        ("OptimizerBuilder.regularizer", ["~", "{type: L2, factor: -1}", "{type: L1, factor: 0.1}", "{factor: 1e308}", "[]"]),
        ("OptimizerBuilder.regularizer.factor", ["0", "-1", ".nan"]),
        ("pretrain_weights", ["''", "/proc/slim-fuzz/missing", "model.yml", "qat", "int8"]),
    ]

    static let transforms = [
        "[]", "[!Resize {size: 0}]", "[!Resize {size: 32}]", "[!Resize {size: -3}]", "[!RandomCrop {size: 99999, padding: -1}]",
        "[!RandomCrop {size: 28, padding: 30}]", "[!RandomCrop {size: 0}]", "[!Normalize {mean: [], std: []}]",
        "[!Normalize {mean: [0.5], std: [0]}]", "[!Normalize {mean: [0.1, 0.2], std: [1]}]", "[!RandomFlip {prob: 2}]",
        "[!RandomFlip {prob: .nan}]", "[!ToTensor {}]", "[!Bogus {}]", "[1, 2]", "{}", "[!Resize {size: 99999999999}]",
    ]

    static let schedulers = [
        "[]", "[!PiecewiseDecay {gamma: 0.5, milestones: [1e30]}]", "[!PiecewiseDecay {milestones: [2, 1]}]",
        "[!PiecewiseDecay {milestones: [1], values: [0.1]}]", "[!PiecewiseDecay {milestones: [-1]}]",
        "[!PiecewiseDecay {milestone_epochs: [.nan]}]", "[!PiecewiseDecay {milestone_epochs: [1e300]}]",
        "[!PiecewiseDecay {milestones: [.inf]}]", "[!LinearWarmup {steps: 0}]", "[!LinearWarmup {steps: -5, start_factor: 2}]",
        "[!LinearWarmup {epochs: 1e300}]", "[!LinearWarmup {epochs: .nan}]", "[!LinearWarmup {epochs: -1}]",
        "[!CosineDecay {max_iters: 0}]", "[!CosineDecay {max_iters: -1, min_lr: 5}]", "[!ExponentialDecay {decay_steps: 0}]",
        "[!ExponentialDecay {gamma: -1, decay_steps: 1}]", "[!LinearWarmup {steps: 1}, !LinearWarmup {steps: 1}]",
        "[!Bogus {}]", "[{type: PiecewiseDecay}]", "[3]",
    ]

    /// Slim YAML fields (see `FuzzCase.slimFields`).
    static let slim: [(key: String, values: [String])] = [
        ("strategy.class", ["PostTrainingQuantizationStrategy", "Bogus"]),
        ("strategy.start_epoch", ["-1", "1", "5", "abc"]),
        ("strategy.end_epoch", ["-1", "1", "2", "99999999999999999999", "9223372036854775807"]),
        ("strategy.weight_bits", ["0", "1", "16", "17", "-1", "8.5"]),
        ("strategy.activation_bits", ["0", "1", "16", "17", "-1"]),
        ("strategy.weight_quantize_type", ["channel_wise_abs_max", "bogus", "[]"]),
        ("strategy.activation_quantize_type", ["abs_max", "range_abs_max", "bogus"]),
        ("strategy.float_model_save_path", ["''", "/proc/slim-fuzz/float", "model.yml/float"]),
        ("strategy.int8_model_save_path", ["''", "/proc/slim-fuzz/int8", "model.yml/int8"]),
        ("compressor.epoch", ["0", "-1", "2", "abc", "99999999999999999999", "9223372036854775807"]),
        ("compressor.checkpoint_path", ["''", "/proc/slim-fuzz/ck", "model.yml", "./ck2/"]),
        ("compressor.eval_epoch", ["0", "-1", "2", "9223372036854775807"]),
        ("compressor.strategies", ["[]", "[nope]", "[quantization_strategy, quantization_strategy]"]),
        ("compressor.init_model", ["fp32", "/proc/slim-fuzz/missing", "qat"]),
    ]

    /// Slim YAML fields of a `PostTrainingQuantizationStrategy` (the strategy's class set to it).
    static let slimPostTraining: [(key: String, values: [String])] = [
        ("strategy.algo", ["abs_max", "avg", "hist", "KL", "mse", "mix", "bogus"]),
        ("strategy.batch_nums", ["1", "2", "0", "-1", "9223372036854775807"]),
        ("strategy.hist_percent", ["0.5", "1", "0", "1.5", ".nan"]),
        ("strategy.weight_bits", ["1", "16", "0", "17"]),
        ("strategy.activation_bits", ["1", "16", "0", "17"]),
        ("strategy.weight_quantize_type", ["abs_max", "channel_wise_abs_max", "bogus"]),
        ("strategy.eval_model_save_path", ["./quant/eval", "/proc/slim-fuzz/eval", "model.yml/eval"]),
        ("strategy.float_model_save_path", ["''", "/proc/slim-fuzz/float", "model.yml/float"]),
        ("compressor.epoch", ["0", "2", "-1"]),
        ("compressor.checkpoint_path", ["/proc/slim-fuzz/ck", "model.yml"]),
    ]

    /// Command-line flags (not `-o`), per command.
    static let threads = ["0", "1", "-1", "100000", "99999999999999999999"]
    static let datasetDirs = ["/proc/slim-fuzz/missing", "model.yml", "imgs", "", "."]
    static let modelPaths = ["fp32", "qat", "int8", "/proc/slim-fuzz/missing", "model.yml", "."]
    static let bits = ["8", "1", "16", "0", "17", "-8", "99999999999999999999"]
    static let weightTypes = ["abs_max", "channel_wise_abs_max", "bogus"]
    static let savePaths = ["saved", "/proc/slim-fuzz/saved", "model.yml", "fp32", ""]
    static let algos = ["abs_max", "avg", "hist", "KL", "mse", "mix", "bogus"]
    static let batchNums = ["1", "2", "0", "-1", "99999999999999999999"]
    static let histPercents = ["0.5", "1", "0", "1.5", "-0.5", "nan"]
    static let outputFiles = ["e.json", "/proc/slim-fuzz/e.json", "model.yml/e.json", "."]
    static let engines = ["int8", "float", "bogus"]
}
