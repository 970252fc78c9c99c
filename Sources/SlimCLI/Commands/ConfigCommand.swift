import ArgumentParser

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the merged configuration, list modules, or print a module's options.",
        subcommands: [ConfigShowCommand.self, ConfigListCommand.self, ConfigHelpCommand.self]
    )
}
