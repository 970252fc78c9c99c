import ArgumentParser

/// Error for a command whose stage has not been built yet in this version of slim.
struct StageUnavailable: Error, CustomStringConvertible {
    let command: String
    var description: String {
        "error: 'slim \(command)' is not available in this version yet (see CHANGELOG.md for what is)."
    }
}
