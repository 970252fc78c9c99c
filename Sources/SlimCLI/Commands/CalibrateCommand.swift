import ArgumentParser

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Post-training quantization: calibrate a float model without retraining."
    )

    func run() throws {
        throw StageUnavailable(command: "calibrate")
    }
}
