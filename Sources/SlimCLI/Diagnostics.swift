import ArgumentParser
import Foundation
import SlimCompress
import SlimConfig
import SlimGraph
import SlimONNX
import SlimTrain

/// Runs `body`, printing configuration errors to stderr and exiting 65 (bad config or data).
func reportingConfigErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ConfigError {
        printError(error.description)
        throw ExitCode(65)
    }
}

/// Runs a stage, turning every error a user can cause into a message on stderr and an exit
/// code: 65 for bad config, data or model files, 74 for an output file that cannot be written,
/// 1 for anything else.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ConfigError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as DataError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as GraphError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as ModelFileError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as CheckpointError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as ONNXExportError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as OutputFile.WriteError {
        printError("error: \(error)")
        throw ExitCode(74)
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes to stdout immediately (progress lines must not wait for a buffer).
func printFlushed(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
