import ArgumentParser
import SlimConfig
import SlimGraph
import SlimTensor

/// `--model_path` / `--model_name` / `--params_name`: a model directory, as in Paddle's tools.
///
/// Commands that read a model YAML (`slim eval`, `infer`, `calibrate`) default `--model_path` to
/// its `weights` global, as PaddleDetection's tools do; the others require `--model_path`.
struct ModelDirOptions: ParsableArguments {
    @Option(name: .customLong("model_path"), help: "The model directory (a slim train output, a checkpoint's eval_model, or freeze's float/ or int8/); eval, infer and calibrate default to the model YAML's `weights`.")
    var modelPath: String?

    @Option(name: .customLong("model_name"), help: "Program file name (default: __model__, else model).")
    var modelName: String?

    @Option(name: .customLong("params_name"), help: "Params file name (default: __params__, else weights).")
    var paramsName: String?

    /// `--model_path` of a command without a model YAML.
    /// - Throws: `ValidationError` (exit 64) when it is not given.
    func requiredPath() throws -> String {
        guard let modelPath else { throw ValidationError("missing --model_path DIR (the model directory)") }
        return modelPath
    }

    /// `--model_path`, else the `weights` global of `config` (exit 65 when it is not a string or
    /// is a URL).
    /// - Throws: `ValidationError` (exit 64) when neither is given.
    func path(or config: ModelConfig) throws -> String {
        if let modelPath { return modelPath }
        if let weights = try reportingConfigErrors({ try config.localPath("weights") }) { return weights }
        throw ValidationError("no model to load: give --model_path DIR, or set `weights: DIR` in \(config.path)")
    }

    /// The program and parameters of the model directory `path` (file names detected when not given).
    func load(_ path: String) throws -> (program: Program, params: [String: Tensor]) {
        let loaded = try ModelFile.load(from: path, modelName: modelName, paramsName: paramsName)
        Console.debug("loaded \(path): \(loaded.program.ops.count) ops, \(loaded.params.count) persistable vars, "
                      + "\(loaded.params.values.reduce(0) { $0 + $1.count }) parameter values")
        return loaded
    }
}
