import ArgumentParser

/// `slim dataset`: writes data sets the examples can use on a fresh machine.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Write example data sets (a VOC-layout detection set from Fashion-MNIST).",
        subcommands: [FashionVOCCommand.self]
    )
}
