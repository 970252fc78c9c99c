import Foundation
import Logging
import SlimTrain

/// The commands' console lines, by swift-log level (set by `LogOptions`: `--quiet`, `--verbose`):
///
///     level     what                                         where
///     debug     details (--verbose only)                     stderr, "debug: " + line
///     info      progress and result lines (shown by default)  stdout, as given
///     warning   lines starting "warning: " (kept by --quiet)  stdout, as given
///
/// Errors (`printError`) and warnings a command writes to stderr itself are never filtered.
/// Every line is written at once (no buffering).
enum Console {
    /// The level the commands log at; `LogOptions.apply()` sets it before a command runs.
    nonisolated(unsafe) static var logger = Logger(label: "slim") { _ in ConsoleLogHandler() }

    /// A progress or result line (`text` ends with its own newline), or a warning when it starts with "warning: ".
    /// Under `mpirun` only rank 0 logs (every rank computes the same lines).
    static func line(_ text: String) {
        guard MPIWorld.isRoot else { return }
        if text.hasPrefix("warning: ") {
            logger.warning("\(text)")
        } else {
            logger.info("\(text)")
        }
    }

    /// A detail for `--verbose` (one line, no newline); not even built at other levels.
    static func debug(_ text: @autoclosure () -> String) {
        logger.debug("\(text())")
    }
}

/// Writes `Console`'s lines: debug to stderr with a "debug: " prefix, everything else to stdout verbatim.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch event.level {
        case .trace, .debug:
            FileHandle.standardError.write(Data("debug: \(event.message)\n".utf8))
        default:
            FileHandle.standardOutput.write(Data(event.message.description.utf8))
        }
    }
}
