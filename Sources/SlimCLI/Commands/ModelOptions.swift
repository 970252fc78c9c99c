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

    @Option(help: "oneDNN threads (default: the YAML's `threads`, else OMP_NUM_THREADS, else all cores).")
    var threads: Int?

    /// Loads the config (exit 65 with positioned diagnostics on error) and sets the thread count.
    func load() throws -> ModelConfig {
        registerOps()
        let config = try reportingConfigErrors { try ModelConfig.load(path: c, overrides: o) }
        let n = try threads ?? reportingConfigErrors { try config.int("threads") } ?? 0
        Kernels.setThreads(n)
        return config
    }
}
