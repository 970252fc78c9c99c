/// Makes the command fuzzer's cases from a seed: the same seed, the same cases, in the same order.
///
/// The first cases are pinned (inputs each stage must reject cleanly, known to have trapped); the
/// rest are random: a command (train, compress, eval, calibrate, freeze), one to three `-o`
/// overrides (a plausible value for the key most of the time, else a hostile one), for compress
/// sometimes slim YAML edits, and sometimes a fuzzed command-line flag.
struct FuzzCaseGenerator {
    var random: FuzzRandom

    init(seed: UInt64) { random = FuzzRandom(seed: seed) }

    /// Inputs with a known history of traps, always run.
    static let pinned: [FuzzCase] = [
        FuzzCase(args: compress + ["max_iters=0"]),
        FuzzCase(args: compress + ["max_iters=9223372036854775807"]),
        FuzzCase(args: train + ["max_iters=0"]),
        FuzzCase(args: train + ["num_classes=3"]),
        FuzzCase(args: compress + ["num_classes=3"]),
        FuzzCase(args: compress + ["pretrain_weights=/proc/slim-fuzz/missing"]),
        FuzzCase(args: compress + ["pretrain_weights=qat"]),
        FuzzCase(args: compress + ["pretrain_weights=model.yml"]),
        FuzzCase(args: train + ["TrainReader.dataset.type=ImageFolder", "TrainReader.dataset.dataset_dir=imgs"]),
        FuzzCase(args: ["train", "-c", "model.yml", "--threads", "-1"]),
        FuzzCase(args: ["train", "-c", "model.yml", "--threads", "100000"]),
        FuzzCase(args: train + ["epoch=9223372036854775807"]),
        FuzzCase(args: train + ["max_iters=9223372036854775807", "epoch=2"]),
        FuzzCase(args: compress, slimEdits: [("strategy.end_epoch", "9223372036854775807")]),
        FuzzCase(args: compress, slimEdits: [("compressor.epoch", "9223372036854775807")]),
        FuzzCase(args: train + ["LearningRate.schedulers=[!PiecewiseDecay {gamma: 0.5, milestones: [1e30]}]"]),
        FuzzCase(args: train + ["EvalReader.dataset.num_samples=0"]),
        FuzzCase(args: train + ["TrainReader.batch_size=100000"]),
        FuzzCase(args: ["calibrate", "--model_path", "fp32", "-c", "model.yml", "--save_path", "ptq", "-o", "TrainReader.batch_size=9223372036854775807"]),
        FuzzCase(args: train + ["num_classes=-2"]),
        FuzzCase(args: train + ["architecture=MobileNetV1", "MobileNetV1.scale=1e308"]),
        FuzzCase(args: train + ["LearningRate.schedulers=[!LinearWarmup {epochs: 1e300}]"]),
        FuzzCase(args: ["eval", "--model_path", "fp32", "-c", "model.yml", "--output_eval", "."]),
        FuzzCase(args: compress + ["TrainReader.batch_size=3"], slimEdits: [("compressor.checkpoint_path", "model.yml")]),
        FuzzCase(args: train + ["threads=9223372036854775807"]),
    ]

    static let train = ["train", "-c", "model.yml", "-o"]
    static let compress = ["compress", "-s", "slim.yaml", "-c", "model.yml", "-o", "pretrain_weights=fp32"]

    /// The pinned cases, then `count` random ones.
    mutating func cases(random count: Int) -> [FuzzCase] {
        Self.pinned + (0..<count).map { _ in next() }
    }

    mutating func next() -> FuzzCase {
        switch random.below(5) {
        case 0: return FuzzCase(args: Self.train + overrides() + extraFlags())
        case 1: return compressCase()
        case 2: return FuzzCase(args: evalArgs() + ["-o"] + overrides() + extraFlags())
        case 3: return FuzzCase(args: calibrateArgs() + ["-o"] + overrides() + extraFlags())
        default: return FuzzCase(args: freezeArgs())
        }
    }

    /// One to three `KEY=VALUE` overrides on distinct keys.
    mutating func overrides() -> [String] {
        random.pick(random.int(in: 1...3), of: FuzzValues.model).map { option in
            "\(option.key)=\(random.chance(70) ? random.pick(option.values) : random.pick(FuzzValues.hostile))"
        }
    }

    /// Sometimes `--threads N`, sometimes `-d DIR`.
    mutating func extraFlags() -> [String] {
        (random.chance(10) ? ["--threads", random.pick(FuzzValues.threads)] : []) + (random.chance(5) ? ["-d", random.pick(FuzzValues.datasetDirs)] : [])
    }

    /// Compress with a QAT or (one case in five) a post-training strategy, half the time with
    /// fields of the slim YAML edited.
    mutating func compressCase() -> FuzzCase {
        let postTraining = random.chance(20)
        let fields = postTraining ? FuzzValues.slimPostTraining : FuzzValues.slim
        var edits = random.chance(50) || postTraining ? random.pick(random.int(in: 1...2), of: fields).map { field in
            (key: field.key, value: random.chance(75) ? random.pick(field.values) : random.pick(FuzzValues.hostile))
        } : []
        if postTraining { edits.insert(("strategy.class", "PostTrainingQuantizationStrategy"), at: 0) }
        let overrides = edits.isEmpty || random.chance(50) ? overrides() : []
        return FuzzCase(args: Self.compress + overrides + extraFlags(), slimEdits: edits)
    }

    mutating func evalArgs() -> [String] {
        var args = ["eval", "--model_path", random.chance(70) ? random.pick(["fp32", "qat", "int8"]) : random.pick(FuzzValues.modelPaths),
                    "-c", "model.yml"]
        if random.chance(25) { args += ["--engine", random.pick(FuzzValues.engines)] }
        if random.chance(25) { args += ["--output_eval", random.pick(FuzzValues.outputFiles)] }
        if random.chance(20) { args += ["--compare_with", random.pick(FuzzValues.modelPaths)] }
        if random.chance(15) { args += ["--output_predictions", random.pick(FuzzValues.outputFiles)] }
        return args
    }

    mutating func calibrateArgs() -> [String] {
        var args = ["calibrate", "--model_path", random.chance(80) ? "fp32" : random.pick(FuzzValues.modelPaths), "-c", "model.yml",
                    "--algo", random.chance(85) ? random.pick(FuzzValues.algos.dropLast()) : "bogus",
                    "--batch_nums", random.chance(70) ? "2" : random.pick(FuzzValues.batchNums),
                    "--save_path", random.chance(70) ? "ptq" : random.pick(FuzzValues.savePaths)]
        if random.chance(20) { args += ["--hist_percent", random.pick(FuzzValues.histPercents)] }
        if random.chance(20) { args += ["--weight_bits", random.pick(FuzzValues.bits)] }
        if random.chance(20) { args += ["--activation_bits", random.pick(FuzzValues.bits)] }
        if random.chance(20) { args += ["--weight_quant_type", random.pick(FuzzValues.weightTypes)] }
        if random.chance(15) { args += ["--output_eval", random.pick(FuzzValues.outputFiles)] }
        return args
    }

    mutating func freezeArgs() -> [String] {
        var args = ["freeze", "--model_path", random.chance(60) ? "qat" : random.pick(FuzzValues.modelPaths),
                    "--save_path", random.chance(60) ? "frozen" : random.pick(FuzzValues.savePaths)]
        if random.chance(50) { args += ["--weight_quant_type", random.pick(FuzzValues.weightTypes)] }
        if random.chance(30) { args += ["--weight_bits", random.pick(FuzzValues.bits)] }
        if random.chance(30) { args += ["--activation_bits", random.pick(FuzzValues.bits)] }
        return args
    }
}
