import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder written as one unit: its files go into a fresh hidden folder beside the destination,
/// are flushed, and the folder then takes the destination's place in one step, so a reader (or a
/// run restarted after a crash) sees the old folder whole or the new one whole, never a mix.
///
///     <parent>/.<name>.tmp-<pid>-<random>/   filled and fsynced by `write`
///     rename (new destination) or exchange (renameat2 RENAME_EXCHANGE) with the old one,
///     then the old one (now under the hidden name) is removed and the parent fsynced.
///
/// Hidden `.<name>.tmp-*` folders left by a killed process are slim's own and are removed by
/// `removeStale(_:)` and before each write.
public enum DirectoryUnit {
    /// Fills a new hidden folder beside `destination` with `fill` (given the folder's path) and
    /// puts it in place of `destination`. `replaceable` decides whether an existing destination
    /// may be replaced (it is called with the destination's path); when it returns a reason, the
    /// write is refused with that reason and nothing is touched.
    /// - Throws: `ModelFileError` `.io` naming the path that could not be written.
    public static func write(_ destination: String, replaceable: (String) -> String? = { _ in nil },
                             fill: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue {
            throw ModelFileError(.io, path: url.path, "will not replace it: it is a file, not a folder",
                                 expected: "a new folder, or one that slim wrote", hints: ["choose another path, or move it away"])
        }
        if exists, let reason = replaceable(url.path) {
            throw ModelFileError(.io, path: url.path, "will not replace it: \(reason)",
                                 expected: "a new folder, or one that slim wrote", hints: ["choose another path, or move it away"])
        }
        try createDirectory(parent)
        removeStale(url.path)
        let temp = parent + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try createDirectory(temp)
        do {
            try fill(temp)
            try fsyncPath(temp)
            try place(temp, at: url.path, exists: exists)
            try fsyncPath(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
    }

    /// Removes the hidden `.<name>.tmp-*` folders beside `destination` that a killed write left.
    public static func removeStale(_ destination: String) {
        let url = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, prefix = "." + url.lastPathComponent + ".tmp-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    /// Flushes a file's or folder's entry to disk (`fsync` on a read-only descriptor).
    public static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("cannot open to flush", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw posixError("cannot flush", path: path) }
    }

    /// Moves the filled `temp` folder to `destination`: a rename when there is none, else an
    /// atomic exchange and removal of the old folder. Where the file system cannot exchange, the
    /// old folder is renamed aside first (a crash then leaves it under the hidden name).
    private static func place(_ temp: String, at destination: String, exists: Bool) throws {
        guard exists else {
            guard rename(temp, destination) == 0 else { throw posixError("cannot rename \(temp) to it", path: destination) }
            return
        }
        if exchange(temp, destination) {
            try? FileManager.default.removeItem(atPath: temp)
            return
        }
        let aside = temp + "-old"
        guard rename(destination, aside) == 0 else { throw posixError("cannot move the old folder aside", path: destination) }
        guard rename(temp, destination) == 0 else {
            let error = posixError("cannot rename \(temp) to it", path: destination)
            _ = rename(aside, destination)
            throw error
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// glibc's `renameat2`, looked up once (absent on old C libraries).
    nonisolated(unsafe) private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Swaps two existing paths atomically (`RENAME_EXCHANGE`); false when the system cannot.
    private static func exchange(_ a: String, _ b: String) -> Bool {
        guard let renameat2 else { return false }
        let atCWD: Int32 = -100, renameExchange: UInt32 = 2
        return renameat2(atCWD, a, atCWD, b, renameExchange) == 0
    }

    private static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ModelFileError(.io, path: path, "cannot create directory: \(error.localizedDescription)", expected: "a writable location")
        }
    }

    private static func posixError(_ what: String, path: String) -> ModelFileError {
        ModelFileError(.io, path: path, "\(what): \(String(cString: strerror(errno)))", expected: "a writable location")
    }
}
