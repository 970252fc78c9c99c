import ArgumentParser

struct FreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Freeze a checkpoint's eval model into float/ and int8/ variants."
    )

    func run() throws {
        throw StageUnavailable(command: "freeze")
    }
}
