import ArgumentParser

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the FP32 baseline a compression starts from (HAT's float stage)."
    )

    func run() throws {
        throw StageUnavailable(command: "train")
    }
}
