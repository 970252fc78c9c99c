import ArgumentParser

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model directory (fp32, frozen float or int8) on the eval reader."
    )

    func run() throws {
        throw StageUnavailable(command: "eval")
    }
}
