import Foundation
import XCTest

extension SlimRunner {
    /// Starts `slim args` (output discarded), waits until the file `marker` exists (at most
    /// `timeout` seconds), and kills the process with SIGKILL there: a run stopped as abruptly as
    /// a power cut right after it wrote `marker`.
    /// - Returns: whether the process was still running when it was killed (false: it ended, or
    ///   `marker` never appeared, before the kill).
    @discardableResult
    func killedRun(_ args: [String], when marker: String, timeout: TimeInterval = 300) throws -> Bool {
        let p = process(args)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: path(marker)) && p.isRunning && Date() < deadline {
            usleep(20_000)
        }
        let running = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        try ChildProcess.wait(p, timeout: 60)
        return running
    }
}
