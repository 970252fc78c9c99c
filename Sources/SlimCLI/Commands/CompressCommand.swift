import ArgumentParser

struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Run quantization-aware compression from a slim YAML and a model YAML."
    )

    func run() throws {
        throw StageUnavailable(command: "compress")
    }
}
