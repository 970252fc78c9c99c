import ArgumentParser
import SlimConfig

/// `slim config show`: the model YAML with `-o` overrides merged, printed back as YAML.
struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the merged model configuration as YAML (tags kept, overridden values marked).",
        discussion: """
        Example:
          slim config show -c examples/lenet_fashion_mnist/model.yml \\
            -o max_iters=258 LearningRate.base_lr=0.0001 \\
               "LearningRate.schedulers=[!PiecewiseDecay \\
                 {gamma: 0.1, milestones: [258, 516]}]"
        """
    )

    @Option(name: .short, help: "The model YAML file.")
    var c: String

    @Option(name: .short, help: "A slim YAML (strategies + compressor) to check and print after the model.")
    var s: String?

    @Option(name: .short, parsing: .upToNextOption,
            help: "Overrides KEY=VALUE; VALUE is YAML (tags allowed), KEY a dotted path of any depth.")
    var o: [String] = []

    func run() throws {
        let config = try reportingConfigErrors { try ModelConfig.load(path: c, overrides: o) }
        if let note = config.unusedKeysNote { printError(note) }
        print(config.yaml(markOverrides: true), terminator: "")
        guard let s else { return }
        let compression = try reportingConfigErrors { try CompressionConfig.load(path: s) }
        var root = try reportingConfigErrors { try YAMLReader.read(path: s) }
        let epoch = Node.scalar(String(compression.compressor.epoch), mark: root.mark)
        try? root.merge(epoch, at: ["compressor", "epoch"][...], keyMarks: [][...])
        print("---  # \(s)")
        print(YAMLWriter(marked: ["compressor.epoch"]).write(root).replacingOccurrences(
            of: "# overridden by -o", with: "# epoch runs 0..<\(compression.compressor.epoch) (end_epoch + 1)"), terminator: "")
    }
}
