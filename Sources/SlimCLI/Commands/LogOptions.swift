import ArgumentParser
import Logging

/// `--quiet` / `--verbose`: how much a command prints (`Console`).
struct LogOptions: ParsableArguments {
    @Flag(help: "Print only warnings and errors: no progress or result lines (files are written as usual).")
    var quiet = false

    @Flag(help: "Also print debug lines, on stderr.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
    }

    /// warning for --quiet, debug for --verbose, else info.
    var level: Logger.Level { quiet ? .warning : verbose ? .debug : .info }

    /// Sets the console's level; the first thing a command's `run()` does.
    func apply() { Console.logger.logLevel = level }
}
