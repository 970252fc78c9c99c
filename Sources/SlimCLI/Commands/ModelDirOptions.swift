import ArgumentParser
import SlimGraph
import SlimTensor

/// `--model_path` / `--model_name` / `--params_name`: a model directory, as in Paddle's tools.
struct ModelDirOptions: ParsableArguments {
    @Option(name: .customLong("model_path"), help: "The model directory (a slim train output, a checkpoint's eval_model, or freeze's float/ or int8/).")
    var modelPath: String

    @Option(name: .customLong("model_name"), help: "Program file name (default: __model__, else model).")
    var modelName: String?

    @Option(name: .customLong("params_name"), help: "Params file name (default: __params__, else weights).")
    var paramsName: String?

    /// The program and parameters (file names detected when not given).
    func load() throws -> (program: Program, params: [String: Tensor]) {
        let loaded = try ModelFile.load(from: modelPath, modelName: modelName, paramsName: paramsName)
        Console.debug("loaded \(modelPath): \(loaded.program.ops.count) ops, \(loaded.params.count) persistable vars, "
                      + "\(loaded.params.values.reduce(0) { $0 + $1.count }) parameter values")
        return loaded
    }
}
