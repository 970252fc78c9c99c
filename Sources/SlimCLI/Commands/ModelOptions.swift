import ArgumentParser
import SlimConfig
import SlimQuant
import SlimTensor

/// The options every stage that reads a model YAML shares: `-c`, `-o`, `-d`, `--threads`.
struct ModelOptions: ParsableArguments {
    @Option(name: .short, help: "The model YAML (architecture, LearningRate, OptimizerBuilder, readers, max_iters).")
    var c: String

    @Option(name: .short, parsing: .upToNextOption,
            help: "Overrides KEY=VALUE; VALUE is YAML (tags allowed), KEY a dotted path of any depth.")
    var o: [String] = []

    @Option(name: .short, help: "Data set directory; replaces every reader's dataset_dir.")
    var d: String?

    @Option(help: "oneDNN threads, 0...\(Kernels.threadLimit) (default: the YAML's `threads`; 0: OMP_NUM_THREADS, else all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, !(0...Kernels.threadLimit).contains(threads) {
            throw ValidationError("--threads must be in 0...\(Kernels.threadLimit) (0: OMP_NUM_THREADS, else all cores), got \(threads)")
        }
    }

    /// Loads the config (exit 74 when the file is missing, 65 with positioned diagnostics on
    /// error), writes the one note line of the options it sets without effect to stderr, and
    /// sets the thread count.
    func load() throws -> ModelConfig {
        try Self.load(path: c, overrides: o, threads: threads)
    }

    /// `load()` of the model YAML `path` with `overrides` and `--threads` (for commands where `-c` is optional).
    static func load(path: String, overrides: [String], threads: Int?) throws -> ModelConfig {
        registerOps()
        try requireReadableFile(path)
        let config = try reportingConfigErrors { try ModelConfig.load(path: path, overrides: overrides) }
        if let note = config.unusedKeysNote { printError(note) }
        let n = try threads ?? reportingConfigErrors { try Self.yamlThreads(config) }
        Kernels.setThreads(n)
        return config
    }

    /// The YAML's `threads` (0 when absent).
    /// - Throws: `ConfigError` at the value when it is outside `0...Kernels.threadLimit`.
    static func yamlThreads(_ config: ModelConfig) throws -> Int {
        let n = try config.int("threads") ?? 0
        guard (0...Kernels.threadLimit).contains(n) else {
            throw ConfigError("threads must be in 0...\(Kernels.threadLimit) (0: OMP_NUM_THREADS, else all cores), got \(n)",
                              at: config.node("threads")?.mark ?? SourceMark(file: config.path, line: 1, column: 1))
        }
        return n
    }
}
