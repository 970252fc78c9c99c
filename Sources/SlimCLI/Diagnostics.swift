import ArgumentParser
import Foundation
import SlimCompress
import SlimConfig
import SlimGraph
import SlimONNX
import SlimQuant
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
/// code: 74 for a file that cannot be read or written (missing, unreadable, unwritable), 65 for
/// bad config, data or model files, 1 for anything else.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try mappingErrors(body)
    } catch {
        MPIWorld.noteFailure()
        throw error
    }
}

/// `reportingErrors` without the `mpirun` bookkeeping.
private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ConfigError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as DataError {
        printError("error: \(error)")
        throw ExitCode(error.isIO ? 74 : 65)
    } catch let error as GraphError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as ModelFileError {
        printError(error.description)
        throw ExitCode(error.kind == .missing || error.kind == .io ? 74 : 65)
    } catch let error as CheckpointError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as ONNXExportError {
        printError("error: \(error)")
        throw ExitCode(65)
    } catch let error as ONNXImportError {
        printError("error: \(error)")
        throw ExitCode(error.kind == .io ? 74 : 65)
    } catch let error as OutputFile.WriteError {
        printError("error: \(error)")
        throw ExitCode(74)
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// Exits 74 naming `path` unless it is a readable regular file (the model or slim YAML a user named).
func requireReadableFile(_ path: String) throws {
    var isDirectory: ObjCBool = false
    let problem = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) ? "no such file"
        : isDirectory.boolValue ? "is a directory, not a file"
        : !FileManager.default.isReadableFile(atPath: path) ? "not readable" : nil
    guard let problem else { return }
    printError("error: \(path): \(problem)")
    throw ExitCode(74)
}

/// Under `mpirun` the line starts with the rank (`rank 1: `).
func printError(_ text: String) {
    let prefix = MPIWorld.launchedRanks().map { "rank \($0.rank): " } ?? ""
    FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
}

/// After a run on the INT8 engine: that int8 ops read signed activations on a CPU without VNNI
/// (`InferenceEngine.signedInputNote`), so the user knows why int8/ is not faster. A result line
/// (stdout, hidden by --quiet), or on stderr where stdout is a JSON line (`slim bench --json`).
func printSignedInputNote(toStandardError: Bool = false) {
    guard let note = InferenceEngine.signedInputNote else { return }
    if toStandardError {
        fflush(stdout)
        printError(note)
    } else {
        printFlushed(note + "\n")
    }
}

/// A progress or result line to stdout, written immediately (progress lines must not wait for a
/// buffer), unless `--quiet` (`Console.line`).
func printFlushed(_ text: String) {
    Console.line(text)
}
