import ArgumentParser
import Foundation
import SlimCompress
import SlimGraph
import SlimQuant
import SlimTrain

/// `slim calibrate`: post-training quantization of a float model directory (HAT's calibration stage).
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Post-training quantization: calibrate a float model without retraining.",
        discussion: """
        Observes the FP32 model on --batch_nums batches of the train split (the TrainReader's data
        set and batch size, shuffled with `seed`, through the EvalReader's transforms: no
        augmentation, and never the test split), picks each quantized activation's threshold
        with --algo, and writes SAVE_PATH/eval_model (fake-quant, __model__/__params__),
        SAVE_PATH/float and SAVE_PATH/int8 (model/weights, as slim freeze). Prints the eval
        top-1 of SAVE_PATH/float at the end.

        algo: abs_max (max |x|), avg (mean batch max), hist (--hist_percent of |x|),
              KL (TensorRT entropy), mse (least quantization MSE), mix (per activation the
              least-MSE of the others).

        Example:
          slim calibrate -c examples/lenet_fashion_mnist/model.yml --model_path output/model/best --algo KL --save_path output/ptq
        """
    )

    /// The FP32 model directory (e.g. slim train's output/<name>/best).
    @OptionGroup var dir: ModelDirOptions

    @Option(help: "abs_max, avg, hist, KL, mse or mix.")
    var algo: String = "KL"

    @Option(name: .customLong("batch_nums"), help: "Calibration batches.")
    var batchNums: Int = 10

    @Option(name: .customLong("hist_percent"), help: "Share of |x| kept by hist (and mix), in (0, 1].")
    var histPercent: Double = 0.9999

    @Option(name: .customLong("weight_quant_type"), help: "abs_max or channel_wise_abs_max.")
    var weightQuantType: String = "channel_wise_abs_max"

    @Option(name: .customLong("weight_bits"), help: "Weight bits, 1...16.")
    var weightBits: Int = 8

    @Option(name: .customLong("activation_bits"), help: "Activation bits, 1...16.")
    var activationBits: Int = 8

    @Option(name: .customLong("save_path"), help: "Output directory: eval_model/, float/ and int8/ are written inside.")
    var savePath: String = "output/ptq"

    @Option(name: .customLong("output_eval"), help: "Also write the float/ model's eval result as JSON to this file.")
    var outputEval: String?

    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard CalibrationAlgorithm(rawValue: algo) != nil else {
            throw ValidationError("--algo must be one of \(CalibrationAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")), got '\(algo)'")
        }
        guard WeightQuantizeType(rawValue: weightQuantType) != nil else {
            throw ValidationError("--weight_quant_type must be one of \(WeightQuantizeType.allCases.map(\.rawValue).joined(separator: ", ")), got '\(weightQuantType)'")
        }
        guard batchNums > 0 else { throw ValidationError("--batch_nums must be > 0, got \(batchNums)") }
        guard histPercent > 0 && histPercent <= 1 else { throw ValidationError("--hist_percent must be in (0, 1], got \(histPercent)") }
        for (name, bits) in [("--weight_bits", weightBits), ("--activation_bits", activationBits)] where !(1...16).contains(bits) {
            throw ValidationError("\(name) must be in 1...16, got \(bits)")
        }
    }

    var quantization: PostTrainingQuantization {
        PostTrainingQuantization(algorithm: CalibrationAlgorithm(rawValue: algo) ?? .kl, weightBits: weightBits, activationBits: activationBits,
                                 weightQuantizeType: WeightQuantizeType(rawValue: weightQuantType) ?? .channelWiseAbsMax, histPercent: histPercent)
    }

    func run() throws {
        let config = try model.load()
        try reportingErrors {
            let train = try ReaderSpec(config, reader: .train, datasetDir: model.d)
            let eval = try ReaderSpec(config, reader: .eval, datasetDir: model.d)
            let loaded = try dir.load()
            guard loaded.program.feeds.count == 1, let image = loaded.program.feeds.first else {
                throw GraphError("calibration feeds images to a model with one feed; \(dir.modelPath) has \(loaded.program.feeds)")
            }
            let reader = try CalibrationReader(train: train, eval: eval, batchNums: batchNums,
                                               seed: UInt64(truncatingIfNeeded: try config.int("seed") ?? 1), image: image)
            printFlushed("calibrating \(dir.modelPath) with \(algo) on \(reader.count) batches of \(train.batchSize) (\(train.section) data, \(eval.section) transforms); weights \(weightQuantType) \(weightBits) bit, activations \(activationBits) bit\n")
            let models = CalibratedModels(quantization)
            let quantized = try models.quantize(loaded.program, params: loaded.params, batches: reader)
            printFlushed(CalibratedModels.summary(quantized.result, order: try quantization.activations(of: loaded.program)) + "\n")
            let out = savePath as NSString
            let floatPath = out.appendingPathComponent("float")
            let written = try models.save(quantized.program, params: quantized.params, evalPath: out.appendingPathComponent("eval_model"),
                                          floatPath: floatPath, int8Path: out.appendingPathComponent("int8"))
            printFlushed("saved \(written.joined(separator: ", "))\n")
            let frozen = try ModelFile.load(from: floatPath, modelName: nil, paramsName: nil)
            let result = try Evaluator(executor: try Executor(program: frozen.program), image: image).evaluate(eval, scope: Scope(frozen.params))
            printFlushed("\(floatPath) (PTQ \(algo)): \(result)\n")
            if let outputEval { try writeJSON(result, to: outputEval, option: "--output_eval") }
        }
    }
}
