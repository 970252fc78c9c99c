import ArgumentParser
import Foundation
import SlimConfig

/// `slim config help MODULE`: description, options, a YAML template and the `-o` lines.
struct ConfigHelpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "help",
        abstract: "Print a module's description, options with types, defaults and docs, a YAML template and -o lines."
    )

    @Argument(help: "Module name, e.g. LearningRate, PiecewiseDecay, TrainReader, QuantizationStrategy, Global.")
    var module: String

    func run() throws {
        let registry = ModuleRegistry.shared
        guard let schema = registry.module(module) else {
            var message = "error: unknown module '\(module)'"
            if let near = Suggestion.closest(to: module, in: registry.names) { message += "\nnote: did you mean '\(near)'?" }
            message += "\nnote: `slim config list` lists the modules"
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(64)
        }
        print(schema.helpText, terminator: "")
    }
}
