import ArgumentParser
import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// `slim eval`: loss, top-1 and top-5 of a classifier, VOC mAP of a detector, on the eval reader.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model directory (fp32, frozen float or int8) on the eval reader.",
        discussion: """
        Runs the model's program on the eval reader of the model YAML (`-d` replaces its \
        dataset_dir) and prints loss, top-1 and top-5. The model directory is --model_path, else \
        the YAML's `weights`. Example: \
        slim eval --model_path output/model/best -c examples/lenet_fashion_mnist/model.yml \
        With --compare_with DIR it runs a second model (the reference, e.g. the frozen float/ of \
        the same run) on the same images and prints their top-1 agreement and the largest \
        probability and logit differences instead: \
        slim eval --model_path output/int8 --compare_with output/float -c model.yml

        A detector (a model ending in multiclass_nms, e.g. architecture: YOLOv3) is measured with \
        VOC mAP of the YAML's map_type (11point, else integral), printed as PaddleDetection does, \
        `mAP(0.50, 11point) = 12.34`; --output_eval adds bbox_map (that percentage) and map_type, \
        and --output_predictions writes every detection as a JSON list of {image, image_id, label, \
        name, score, bbox: [xmin, ymin, xmax, ymax]} in original-image pixels.
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("output_eval"), help: "Also write the results as JSON to this file.")
    var outputEval: String?

    @Option(name: .customLong("output_predictions"),
            help: "Also write each image's top-1 class as JSON lines {\"index\", \"label\", \"prediction\"} (e.g. for bench/onnx_check.py); a detector's detections as a JSON list.")
    var outputPredictions: String?

    @Option(help: "int8 (real integer kernels) or float (float emulation); default: int8 for an int8 model, else float.")
    var engine: InferenceEngine?

    @Option(name: .customLong("compare_with"), help: "A reference model directory to compare against on the same images (top-1 agreement, max differences).")
    var compareWith: String?

    @Option(name: .customLong("compare_engine"), help: "Engine of the --compare_with model (default: as for --engine).")
    var compareEngine: InferenceEngine?

    @Option(name: .customLong("output_compare"), help: "With --compare_with: also write the comparison as JSON to this file.")
    var outputCompare: String?

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    func run() throws {
        log.apply()
        let config = try model.load()
        let modelPath = try modelDir.path(or: config)
        try reportingErrors {
            defer { printSignedInputNote() }
            let reader = try ReaderSpec(config, reader: .eval, datasetDir: model.d)
            let (executor, params) = try prepare(modelDir.load(modelPath), engine: engine, label: nil)
            if let compareWith {
                if Detector.isDetector(executor.program) {
                    printError("error: --compare_with compares classifiers; \(modelPath) is a detector")
                    throw ExitCode(64)
                }
                return try compare(reader, executor: executor, params: params, modelPath: modelPath, reference: compareWith)
            }
            if Detector.isDetector(executor.program) {
                return try evaluateDetector(reader, executor: executor, params: params, modelPath: modelPath, config: config)
            }
            var predictions = PredictionLines()
            let result = try Evaluator(executor: executor).evaluate(reader, scope: Scope(params),
                                                                    onScores: outputPredictions == nil ? nil : { predictions.add(scores: $0, labels: $1) })
            if let outputPredictions { try predictions.write(to: outputPredictions) }
            printFlushed("\(modelPath): \(result)\n")
            if let outputEval { try writeJSON(result, to: outputEval, option: "--output_eval") }
        }
    }

    /// The model ready to run on `engine` (or its default), after printing which engine runs it.
    private func prepare(_ loaded: (program: Program, params: [String: Tensor]), engine: InferenceEngine?,
                         label: String?) throws -> (Executor, [String: Tensor]) {
        let engine = engine ?? InferenceEngine.defaultEngine(for: loaded.program)
        let (program, params) = try engine.executionModel(program: loaded.program, params: loaded.params)
        printFlushed("\(label.map { "\($0) " } ?? "")engine: \(engine.summary(of: program))\n")
        let executor = try Executor(program: program)
        executor.replaysInference = true
        return (executor, params)
    }

    private func compare(_ reader: ReaderSpec, executor: Executor, params: [String: Tensor], modelPath: String, reference: String) throws {
        let loaded = try ModelFile.load(from: reference, modelName: nil, paramsName: nil)
        let (referenceExecutor, referenceParams) = try prepare(loaded, engine: compareEngine ?? engine, label: "reference")
        let comparison = ModelComparison(model: try Evaluator(executor: executor), reference: try Evaluator(executor: referenceExecutor))
        let result = try comparison.compare(reader, scope: Scope(params), referenceScope: Scope(referenceParams))
        printFlushed("\(modelPath) vs \(reference): \(result)\n")
        if let outputCompare { try writeJSON(result, to: outputCompare, option: "--output_compare") }
    }
}
