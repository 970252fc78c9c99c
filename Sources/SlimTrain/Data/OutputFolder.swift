import Foundation

/// A folder a generator owns: new, empty, or marked by an earlier run of the same generator.
///
/// The marker file (written first, rewritten last) lists every file the generator wrote, one
/// relative path a line, so a later run may replace them and remove the ones it no longer
/// writes, and never touches anything else.
struct OutputFolder {
    let root: String
    let marker: String
    /// Files an earlier run wrote (from the marker), relative to `root`.
    let previous: [String]

    /// Claims `path`, creating it when needed.
    /// - Throws: `DataError.writeFailed` when `path` is a file, a non-empty folder without the
    ///   marker, or cannot be created.
    init(path: String, marker: String) throws {
        root = path
        self.marker = marker
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DataError.writeFailed(path: path, reason: "is a file, not a folder") }
            let entries: [String]
            do { entries = try fm.contentsOfDirectory(atPath: path) } catch {
                throw DataError.writeFailed(path: path, reason: "cannot list the folder: \(error.localizedDescription)")
            }
            let markerPath = (path as NSString).appendingPathComponent(marker)
            if entries.isEmpty {
                previous = []
            } else if entries.contains(marker), let text = fm.contents(atPath: markerPath) {
                previous = String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init).filter(Self.isPlainRelative)
            } else {
                throw DataError.writeFailed(path: path, reason:
                    "the folder is not empty and was not written by slim (no \(marker) marker); name a new or empty folder")
            }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw DataError.writeFailed(path: path, reason: error.localizedDescription)
            }
            previous = []
        }
        try ImageCodec.atomicWrite(Array((previous.joined(separator: "\n") + (previous.isEmpty ? "" : "\n")).utf8),
                                   to: (path as NSString).appendingPathComponent(marker))
    }

    /// `root/relative`.
    func path(of relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// Creates sub-folders of `root`.
    func makeDirectories(_ names: [String]) throws {
        for name in names {
            do { try FileManager.default.createDirectory(atPath: path(of: name), withIntermediateDirectories: true) } catch {
                throw DataError.writeFailed(path: path(of: name), reason: error.localizedDescription)
            }
        }
    }

    /// Writes `bytes` to `root/relative` atomically.
    func write(_ bytes: [UInt8], to relative: String) throws {
        try ImageCodec.atomicWrite(bytes, to: path(of: relative))
    }

    /// Records `written` in the marker and removes the files of the earlier run not in it.
    func finish(written: [String]) throws {
        let now = Set(written)
        try ImageCodec.atomicWrite(Array((written.joined(separator: "\n") + "\n").utf8), to: path(of: marker))
        for stale in previous where !now.contains(stale) && FileManager.default.fileExists(atPath: path(of: stale)) {
            do { try FileManager.default.removeItem(atPath: path(of: stale)) } catch {
                throw DataError.writeFailed(path: path(of: stale), reason: "cannot remove a file of the earlier run: \(error.localizedDescription)")
            }
        }
    }

    /// Adds `files` to the marker before they are written, so an interrupted run leaves nothing
    /// the next run would not recognise as its own.
    func plan(_ files: [String]) throws {
        let all = previous + files.filter { !Set(previous).contains($0) }
        try ImageCodec.atomicWrite(Array((all.joined(separator: "\n") + "\n").utf8), to: path(of: marker))
    }

    /// Whether a marker line names a file inside the folder (no absolute path, no `..`).
    private static func isPlainRelative(_ line: String) -> Bool {
        !line.hasPrefix("/") && !line.split(separator: "/").contains("..") && !line.isEmpty
    }
}
