import ArgumentParser
import Foundation
import SlimGraph
import SlimQuant
import SlimTrain

/// `slim eval`: loss, top-1 and top-5 of a model directory on the eval reader.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model directory (fp32, frozen float or int8) on the eval reader.",
        discussion: """
        Runs the model's program on the eval reader of the model YAML (`-d` replaces its
        dataset_dir) and prints loss, top-1 and top-5. Example:
          slim eval --model_path output/model/best -c examples/lenet_fashion_mnist/model.yml
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("output_eval"), help: "Also write the results as JSON to this file.")
    var outputEval: String?

    @Option(name: .customLong("output_predictions"),
            help: "Also write each image's top-1 class as JSON lines {\"index\", \"label\", \"prediction\"} (e.g. for bench/onnx_check.py).")
    var outputPredictions: String?

    @Option(help: "int8 (real integer kernels) or float (float emulation); default: int8 for an int8 model, else float.")
    var engine: InferenceEngine?

    @OptionGroup var model: ModelOptions

    func run() throws {
        let config = try model.load()
        try reportingErrors {
            let reader = try ReaderSpec(config, reader: .eval, datasetDir: model.d)
            let loaded = try modelDir.load()
            let engine = engine ?? InferenceEngine.defaultEngine(for: loaded.program)
            let (program, params) = try engine.executionModel(program: loaded.program, params: loaded.params)
            printFlushed("engine: \(engine.summary(of: program))\n")
            let executor = try Executor(program: program)
            var predictions = PredictionLines()
            let result = try Evaluator(executor: executor).evaluate(reader, scope: Scope(params),
                                                                    onScores: outputPredictions == nil ? nil : { predictions.add(scores: $0, labels: $1) })
            if let outputPredictions { try predictions.write(to: outputPredictions) }
            printFlushed("\(modelDir.modelPath): \(result)\n")
            if let outputEval {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(result).write(to: URL(fileURLWithPath: outputEval), options: .atomic)
            }
        }
    }
}

extension InferenceEngine: ExpressibleByArgument {}
