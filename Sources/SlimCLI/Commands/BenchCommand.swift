import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure images/s, latency and peak memory of one model configuration."
    )

    func run() throws {
        throw StageUnavailable(command: "bench")
    }
}
