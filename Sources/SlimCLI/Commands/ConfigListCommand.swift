import ArgumentParser
import SlimConfig

/// `slim config list`: every registered module with its one-line description.
struct ConfigListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the configurable modules (model YAML sections, tags, strategies)."
    )

    func run() throws {
        let modules = ModuleRegistry.shared.all
        let width = modules.map(\.name.count).max() ?? 0
        for m in modules {
            print("\(m.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(m.description)")
        }
        print("\n`slim config help MODULE` prints a module's options, defaults and docs.")
    }
}
