import Foundation

/// Runs a child process to completion within a deadline. Its output goes to files, not pipes:
/// reading a pipe to its end would block forever on a child that hangs.
enum ChildProcess {
    /// What a finished child left.
    struct Result {
        var status: Int32
        var out: String
        var err: String
        var reason: Process.TerminationReason
        /// Ended by a signal (a Swift trap is SIGILL or SIGTRAP), not by an exit; `status` is the signal.
        var signaled: Bool { reason == .uncaughtSignal }
    }

    /// The child outlived its deadline and was killed; thrown, so only the test that ran it fails.
    struct TimedOut: Error, CustomStringConvertible {
        var command: String
        var seconds: TimeInterval
        var description: String { "`\(command)` did not exit within \(String(format: "%g", seconds)) s; killed it (SIGTERM, then SIGKILL)" }
    }

    /// Generous for the debug builds of a busy machine; a call that needs another passes its own.
    static let defaultTimeout: TimeInterval = 600

    /// Seconds between SIGTERM and SIGKILL.
    static let termGrace: TimeInterval = 5

    /// Starts `p` and waits for it; `p`'s stdout and stderr are captured, whatever they were set to.
    /// - Throws: `TimedOut` after `timeout` seconds (the child is dead by then), or what `run()` throws.
    static func run(_ p: Process, timeout: TimeInterval = defaultTimeout) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory, id = UUID().uuidString
        let outFile = scratch.appendingPathComponent("slim-test-\(id).stdout"), errFile = scratch.appendingPathComponent("slim-test-\(id).stderr")
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        p.standardOutput = out
        p.standardError = err
        do {
            try p.run()
            try? out.close()
            try? err.close()
        } catch {
            try? out.close()
            try? err.close()
            throw error
        }
        try wait(p, timeout: timeout)
        return Result(status: p.terminationStatus, out: text(outFile), err: text(errFile), reason: p.terminationReason)
    }

    /// Waits for the started `p`; past `timeout` seconds sends SIGTERM, then SIGKILL `termGrace`
    /// seconds later, and throws `TimedOut` naming the command. Only `p` itself is signalled (slim
    /// starts no processes of its own).
    static func wait(_ p: Process, timeout: TimeInterval) throws {
        if exited(p, within: timeout) { return }
        p.terminate()
        if !exited(p, within: termGrace) {
            kill(p.processIdentifier, SIGKILL)
            _ = exited(p, within: termGrace)
        }
        throw TimedOut(command: command(of: p), seconds: timeout)
    }

    /// The command line of `p`, for messages.
    static func command(of p: Process) -> String {
        ([p.executableURL?.lastPathComponent ?? "?"] + (p.arguments ?? [])).joined(separator: " ")
    }

    private static func exited(_ p: Process, within seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning {
            if Date() >= deadline { return false }
            usleep(5_000)
        }
        p.waitUntilExit()
        return true
    }

    private static func text(_ file: URL) -> String {
        String(decoding: FileManager.default.contents(atPath: file.path) ?? Data(), as: UTF8.self)
    }
}
