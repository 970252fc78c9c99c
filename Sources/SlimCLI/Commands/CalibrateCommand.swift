import ArgumentParser
import Foundation
import SlimCompress
import SlimConfig
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// `slim calibrate`: post-training quantization of a float model directory (HAT's calibration stage).
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Post-training quantization: calibrate a float model without retraining.",
        discussion: """
        Observes the FP32 model on --batch_nums batches of the train split (the TrainReader's data \
        set and batch size, shuffled with `seed`, through the EvalReader's transforms: no \
        augmentation, and never the test split), picks each quantized activation's threshold \
        with --algo, and writes SAVE_PATH/eval_model (fake-quant, __model__/__params__), \
        SAVE_PATH/float and SAVE_PATH/int8 (model/weights, as slim freeze). Prints the eval \
        top-1 of SAVE_PATH/float at the end (a detector's `mAP(0.50, 11point) = ..` line). The FP32 model is --model_path, else the model YAML's \
        `weights`.

        algo: abs_max (max |x|), avg (mean batch max), hist (--hist_percent of |x|), \
        KL (TensorRT entropy), mse (least quantization MSE), mix (per activation the \
        least-MSE of the others).

        activation_mode: symmetric (int8 levels around 0, every algo) or asymmetric (uint8 \
        with a zero point, ONNX Runtime's quantize_static default; algo abs_max takes the \
        observed min and max as ONNX Runtime's MinMax does, avg the means of the batch min \
        and max). Asymmetric models run on the same INT8 engine and export as uint8 QDQ; \
        they are for inference, not for QAT fine-tuning.

        Example:
          slim calibrate -c examples/lenet_fashion_mnist/model.yml \\
            --model_path output/model/best --algo KL --save_path output/ptq
        """
    )

    /// The FP32 model directory (e.g. slim train's output/<name>/best).
    @OptionGroup var dir: ModelDirOptions

    @Option(help: "How activation thresholds are chosen (see algo below).")
    var algo: CalibrationAlgorithm = .kl

    @Option(name: .customLong("activation_mode"), help: "Activation grid: symmetric (int8) or asymmetric (uint8 with a zero point).")
    var activationMode: ActivationMode = .symmetric

    @Option(name: .customLong("batch_nums"), help: "Calibration batches.")
    var batchNums: Int = 10

    @Option(name: .customLong("hist_percent"), help: "Share of |x| kept by hist (and mix), in (0, 1].")
    var histPercent: Double = 0.9999

    @Option(name: .customLong("weight_quant_type"), help: "Scale of weights (from the weights themselves).")
    var weightQuantType: SlimQuant.WeightQuantizeType = .channelWiseAbsMax

    @Option(name: .customLong("weight_bits"), help: "Weight bits, 1...16. 7 lets CPUs without AVX-512 VNNI run signed activations in one exact convolution.")
    var weightBits: Int = 8

    @Option(name: .customLong("activation_bits"), help: "Activation bits, 1...16.")
    var activationBits: Int = 8

    @Flag(name: .customLong("int8_residual"),
          help: "In int8/, sum residual shortcuts as 8-bit integers (faster; rounds the shortcut to its quantizer's grid).")
    var int8Residual = false

    @Option(name: .customLong("save_path"), help: "Output directory: eval_model/, float/ and int8/ are written inside.")
    var savePath: String = "output/ptq"

    @Option(name: .customLong("output_eval"), help: "Also write the float/ model's eval result as JSON to this file.")
    var outputEval: String?

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard batchNums > 0 else { throw ValidationError("--batch_nums must be > 0, got \(batchNums)") }
        guard histPercent > 0 && histPercent <= 1 else { throw ValidationError("--hist_percent must be in (0, 1], got \(histPercent)") }
        for (name, bits) in [("--weight_bits", weightBits), ("--activation_bits", activationBits)] where !(1...16).contains(bits) {
            throw ValidationError("\(name) must be in 1...16, got \(bits)")
        }
        do { try quantization.validate() } catch let error as GraphError { throw ValidationError(error.message) }
    }

    var quantization: PostTrainingQuantization {
        var scheme = PostTrainingQuantization.defaultScheme
        scheme.weightBits = weightBits
        scheme.activationBits = activationBits
        scheme.weightQuantizeType = weightQuantType
        return PostTrainingQuantization(algorithm: algo, scheme: scheme, histPercent: histPercent, activationMode: activationMode)
    }

    func run() throws {
        log.apply()
        let config = try model.load()
        let modelPath = try dir.path(or: config)
        try reportingErrors {
            let train = try ReaderSpec(config, reader: .train, datasetDir: model.d)
            let eval = try ReaderSpec(config, reader: .eval, datasetDir: model.d)
            let loaded = try dir.load(modelPath)
            let feeds = loaded.program.feeds
            guard let image = feeds.first else {
                throw GraphError("calibration feeds images to the model's first feed; \(modelPath) has no feed")
            }
            let reader = try CalibrationReader(train: train, eval: eval, batchNums: batchNums,
                                               seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1), feeds: feeds)
            let split = try MPIWorld.shared().map { " split over \($0.size) ranks" } ?? ""
            printFlushed("calibrating \(modelPath) with \(algo.rawValue) on \(reader.count) batches of \(train.batchSize)\(split) (\(train.section) data, \(eval.section) transforms); weights \(weightQuantType.rawValue) \(weightBits) bit, activations \(activationBits) bit \(activationMode.rawValue)\n")
            var models = CalibratedModels(quantization)
            models.integerResiduals = int8Residual
            let quantized = try models.quantize(loaded.program, params: loaded.params, batches: reader)
            printFlushed(CalibratedModels.summary(quantized.result, order: try quantization.activations(of: loaded.program)) + "\n")
            let out = savePath as NSString
            let floatPath = out.appendingPathComponent("float")
            let written = try models.save(quantized.program, params: quantized.params, evalPath: out.appendingPathComponent("eval_model"),
                                          floatPath: floatPath, int8Path: out.appendingPathComponent("int8"))
            printFlushed("saved \(written.joined(separator: ", "))\n")
            let frozen = try ModelFile.load(from: floatPath, modelName: nil, paramsName: nil)
            let result = try evaluate(frozen, reader: eval, image: image, config: config)
            printFlushed("\(floatPath) (PTQ \(algo.rawValue)): \(result)\n")
            if let outputEval { try writeJSON(result, to: outputEval, option: "--output_eval") }
        }
    }

    /// The eval result of the frozen float model: top-1 of a classifier (images to `image`, the
    /// other feeds by name); a detector's VOC mAP of the YAML's `map_type`, after printing
    /// PaddleDetection's mAP line.
    private func evaluate(_ frozen: (program: Program, params: [String: Tensor]), reader eval: ReaderSpec, image: String,
                          config: ModelConfig) throws -> EvalResult {
        if Detector.isDetector(frozen.program) {
            let evaluation = try DetectionEvaluation(executor: try Executor(program: frozen.program),
                                                     mapType: try VOCMeanAP.MapType.configured(in: config))
            let result = try evaluation.evaluate(eval, scope: Scope(frozen.params), keepPredictions: false, classNames: nil).result
            printFlushed(evaluation.mapType.line(map: result["map"] ?? 0) + "\n")
            return result
        }
        var evaluator = try Evaluator(executor: try Executor(program: frozen.program), image: image)
        evaluator.feeds = frozen.program.feeds
        return try evaluator.evaluate(eval, scope: Scope(frozen.params))
    }
}
