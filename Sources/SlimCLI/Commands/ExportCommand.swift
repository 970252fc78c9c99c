import ArgumentParser

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model to ONNX (plain FP32 or QDQ INT8)."
    )

    func run() throws {
        throw StageUnavailable(command: "export")
    }
}
