import ArgumentParser
import Foundation
import SlimConfig

/// Runs `body`, printing configuration errors to stderr and exiting 65 (bad config or data).
func reportingConfigErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(65)
    }
}
