import ArgumentParser

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Classify images with a model and write predictions and annotated PNGs."
    )

    func run() throws {
        throw StageUnavailable(command: "infer")
    }
}
