import Foundation
import SlimTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a command writes because an option named it (`--output_eval`, `--output_predictions`,
/// `--output_compare`): written atomically, and a failure is an I/O error naming the option and path.
enum OutputFile {
    /// The file could not be written (exit 74).
    struct WriteError: Error, CustomStringConvertible {
        let option: String
        let path: String
        let reason: String
        var description: String { "cannot write the \(option) file '\(path)': \(reason)" }
    }

    /// Writes `data` to a temporary file next to `path`, flushes it, and renames it to `path`: a
    /// reader sees the old file or the new one, never part of one.
    /// - Throws: `WriteError` with the system's reason (a missing directory, a directory in the
    ///   way, no permission, a full disk); the temporary file is removed. Under `mpirun` rank 0
    ///   writes (every rank holds the same result).
    static func write(_ data: Data, to path: String, option: String) throws {
        guard MPIWorld.isRoot else { return }
        func failure(_ what: String) -> WriteError {
            WriteError(option: option, path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WriteError(option: option, path: path, reason: "it is a directory")
        }
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temp = parent + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a file in '\(parent)'") }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var done = 0
            while done < buffer.count, let base = buffer.baseAddress {
                let n = Glibc.write(fd, base + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return fsync(fd) == 0
        }
        var error = written ? nil : failure("cannot write")
        close(fd)
        if error == nil && rename(temp, path) != 0 { error = failure("cannot replace it") }
        if let error {
            unlink(temp)
            throw error
        }
    }
}
