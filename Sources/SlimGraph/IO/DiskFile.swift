import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes for model files.
///
/// A write goes to a temporary file in the destination's directory (created if needed), is
/// flushed to disk, then renamed over the destination: readers see the old file or the new one,
/// never a partial one.
enum DiskFile {
    /// The bytes of the file at `path`.
    /// - Throws: `ModelFileError` `.missing` (with the files present as a hint) or `.io`.
    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError(.missing, path: path, "no such file", expected: "an existing file",
                                 hints: presentFilesHint(near: path))
        }
        guard !isDirectory.boolValue else {
            throw ModelFileError(.io, path: path, "is a directory", expected: "a regular file")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelFileError(.io, path: path, "cannot read: \(error.localizedDescription)", expected: "a readable file")
        }
    }

    /// Writes `bytes` to `path` atomically (temporary file in the same directory + rename).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ModelFileError(.io, path: dir, "cannot create directory: \(error.localizedDescription)",
                                 expected: "a writable location")
        }
        let temp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try writeFully(bytes, to: temp)
            guard rename(temp, path) == 0 else { throw posixError("cannot rename \(temp) to it", path: path) }
        } catch {
            unlink(temp)
            throw error
        }
    }

    private static func writeFully(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("cannot create", path: path) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < buffer.count {
                let n = write(fd, base + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw posixError("cannot write", path: path) }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw posixError("cannot flush", path: path) }
    }

    private static func posixError(_ what: String, path: String) -> ModelFileError {
        ModelFileError(.io, path: path, "\(what): \(String(cString: strerror(errno)))", expected: "a writable location")
    }

    /// "files in DIR: a, b" or "directory DIR does not exist".
    static func presentFilesHint(near path: String) -> [String] {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            return ["directory \(dir) does not exist"]
        }
        let visible = names.filter { !$0.hasPrefix(".") }.sorted()
        return [visible.isEmpty ? "directory \(dir) is empty" : "files in \(dir): \(visible.joined(separator: ", "))"]
    }
}
