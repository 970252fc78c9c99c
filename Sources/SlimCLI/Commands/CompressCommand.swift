import ArgumentParser
import SlimCompress
import SlimConfig

/// `slim compress`: quantization-aware training driven by a slim YAML.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Run quantization-aware compression from a slim YAML and a model YAML.",
        discussion: """
        Starts from the model YAML's pretrain_weights (a `slim train` output) or the compressor's \
        init_model, runs epochs 0..<compressor.epoch of max_iters batches, evaluates, writes a \
        checkpoint every epoch (<checkpoint_path>/<epoch>/: eval_model, model, context.json, \
        strategies.json), \
        and at end_epoch saves float_model_save_path (frozen FP32), int8_model_save_path and, if \
        set, mobile_model_save_path (the INT8 model as QDQ ONNX: <path>/model.onnx). \
        Re-running the same command resumes after the newest complete checkpoint.

        A detector (architecture: YOLOv3) trains with its feeds and loss, prints PaddleDetection's \
        `mAP(0.50, 11point) = ..` and `Best test box ap: ..` after each evaluation, and its mobile \
        model is cut at the three head outputs (yolo_box and NMS are a post-process).

        Examples:
          slim compress -s strategies/quant_abs_max_moving_average.yaml \\
            -c examples/lenet_fashion_mnist/model.yml \\
            -o max_iters=258 LearningRate.base_lr=0.0001 \\
               pretrain_weights=output/model/best
          slim compress -s yolov3_mobilenet_v1_slim.yaml \\
            -c yolov3_mobilenet_v1_voc.yml -d dataset/voc \\
            -o max_iters=258 LearningRate.base_lr=0.0001 \\
               "LearningRate.schedulers=[!PiecewiseDecay \\
                 {gamma: 0.1, milestones: [258, 516]}]" \\
               pretrain_weights=output/yolov3_mobilenet_v1_voc/model_final \\
               YoloTrainFeed.batch_size=64
        """
    )

    @Option(name: .short, help: "The slim YAML (strategies + compressor).")
    var s: String

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    func run() throws {
        log.apply()
        let config = try model.load()
        try requireReadableFile(s)
        let compression = try reportingConfigErrors { try CompressionConfig.load(path: s) }
        Console.debug("slim YAML \(s): strategies \(compression.strategies.map(\.name)), epochs 0..<\(compression.compressor.epoch), "
                      + "checkpoints in \(compression.compressor.checkpointPath)")
        try reportingErrors {
            let compressor = try Compressor(compression: compression, model: config, datasetDir: model.d, log: printFlushed)
            let names = compression.strategies.map(\.name)
            let with = names.isEmpty ? "no strategy (plain training)" : names.joined(separator: ", ")
            printFlushed("compressing \(try config.string("architecture") ?? "?") with \(with): epochs 0..<\(compression.compressor.epoch) x \(compressor.context.itersPerEpoch) batches\n")
            try compressor.run()
        }
    }
}
