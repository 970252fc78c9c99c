import ArgumentParser
import Foundation
import SlimCompress
import SlimConfig
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// `slim freeze`: a checkpoint's QAT eval model -> `float/`, `int8/` and `mobile/`.
struct FreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Freeze a checkpoint's eval model into float/, int8/ and mobile/ variants.",
        discussion: """
        Reads a QAT eval model (e.g. checkpoints/3/eval_model), applies QuantizationFreezePass \
        (integer-valued weights, fixed activation scales) and ConvertToInt8Pass, and writes \
        SAVE_PATH/float/{model,weights}, SAVE_PATH/int8/{model,weights} and \
        SAVE_PATH/mobile/model.onnx (the int8 model as QDQ ONNX; a detector cut at its head \
        outputs; left out with a warning when ONNX cannot express the model, e.g. 16-bit \
        activations). With -c (and -o, -d) it first evaluates the QAT model on the YAML's eval reader, \
        as PaddleDetection's slim/quantization/freeze.py does (a detector prints \
        `mAP(0.50, 11point) = ..`).

        Examples:
          slim freeze --model_path checkpoints/3/eval_model \\
            --weight_quant_type abs_max --save_path output/freeze
          slim freeze --model_path checkpoints/yolov3/0/eval_model --save_path out \\
            -c yolov3_mobilenet_v1_voc.yml -d dataset/voc
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("weight_quant_type"), help: "Scale of weights (as in training).")
    var weightQuantType: SlimQuant.WeightQuantizeType = .absMax

    @Option(name: .customLong("weight_bits"), help: "Weight bits (as in training).")
    var weightBits: Int = 8

    @Option(name: .customLong("activation_bits"), help: "Activation bits (as in training).")
    var activationBits: Int = 8

    @Flag(name: .customLong("int8_residual"),
          help: "In int8/, sum residual shortcuts as 8-bit integers (faster; rounds the shortcut to its quantizer's grid, which QAT did not model).")
    var int8Residual = false

    @Option(name: .customLong("save_path"), help: "Output directory: float/, int8/ and mobile/ are written inside.")
    var savePath: String

    @Option(name: .short, help: "A model YAML: evaluate the QAT model on its eval reader before freezing.")
    var c: String?

    @Option(name: .short, parsing: .upToNextOption, help: "Overrides KEY=VALUE of the -c YAML.")
    var o: [String] = []

    @Option(name: .short, help: "Data set directory of the evaluation; replaces every reader's dataset_dir.")
    var d: String?

    @Option(help: "oneDNN threads, 0...\(Kernels.threadLimit) (default: the YAML's `threads`; 0: OMP_NUM_THREADS, else all cores).")
    var threads: Int?

    @Option(name: .customLong("output_eval"), help: "With -c: also write the evaluation as JSON to this file.")
    var outputEval: String?

    @OptionGroup var log: LogOptions

    /// The scheme the model was trained with (its activation type plays no part in freezing).
    var scheme: QuantizationScheme {
        QuantizationScheme(weightBits: weightBits, activationBits: activationBits,
                           weightQuantizeType: weightQuantType)
    }

    func validate() throws {
        _ = try modelDir.requiredPath()
        if c == nil {
            if !o.isEmpty || d != nil || outputEval != nil { throw ValidationError("-o, -d and --output_eval need -c MODEL_YAML (the evaluation before freezing)") }
        }
        if let threads, !(0...Kernels.threadLimit).contains(threads) {
            throw ValidationError("--threads must be in 0...\(Kernels.threadLimit) (0: OMP_NUM_THREADS, else all cores), got \(threads)")
        }
    }

    func run() throws {
        log.apply()
        registerOps()
        let config = try c.map { try ModelOptions.load(path: $0, overrides: o, threads: threads) }
        try reportingErrors {
            let modelPath = try modelDir.requiredPath()
            let loaded = try modelDir.load(modelPath)
            if let config { try evaluate(loaded, modelPath: modelPath, config: config) }
            let exporter = FrozenModels(scheme, integerResiduals: int8Residual)
            let out = savePath as NSString
            let written = try exporter.save(loaded.program, params: loaded.params,
                                            floatPath: out.appendingPathComponent("float"), int8Path: out.appendingPathComponent("int8"),
                                            mobilePath: out.appendingPathComponent("mobile"),
                                            mobileSkipped: { printError("warning: \(out.appendingPathComponent("mobile")) not written: \($0)") })
            printFlushed("froze \(modelPath) -> \(written.joined(separator: ", "))\n")
        }
    }

    /// Evaluates the QAT model (float kernels, stored scales) on the eval reader of `config`.
    private func evaluate(_ loaded: (program: Program, params: [String: Tensor]), modelPath: String, config: ModelConfig) throws {
        let reader = try ReaderSpec(config, reader: .eval, datasetDir: d)
        let engine = InferenceEngine.defaultEngine(for: loaded.program)
        let (program, params) = try engine.executionModel(program: loaded.program, params: loaded.params)
        let executor = try Executor(program: program)
        let result: EvalResult
        if Detector.isDetector(program) {
            let evaluation = try DetectionEvaluation(executor: executor, mapType: try VOCMeanAP.MapType.configured(in: config))
            result = try evaluation.evaluate(reader, scope: Scope(params), keepPredictions: false, classNames: nil).result
            printFlushed(evaluation.mapType.line(map: result["map"] ?? 0) + "\n")
        } else {
            result = try Evaluator(executor: executor).evaluate(reader, scope: Scope(params))
        }
        printFlushed("\(modelPath): \(result)\n")
        if let outputEval { try writeJSON(result, to: outputEval, option: "--output_eval") }
    }
}
