import Foundation
import XCTest

/// ChildProcess: output and exit captured, a signal told apart from an exit, a hung child killed.
final class ChildProcessTests: XCTestCase {
    func shell(_ script: String) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        return p
    }

    func testOutputStatusAndSignalAreCaptured() throws {
        let exited = try ChildProcess.run(shell("echo out; echo err >&2; exit 3"))
        XCTAssertEqual([exited.out, exited.err], ["out\n", "err\n"])
        XCTAssertEqual(exited.status, 3)
        XCTAssertFalse(exited.signaled)
        let killed = try ChildProcess.run(shell("kill -SEGV $$"))
        XCTAssertTrue(killed.signaled)
        XCTAssertEqual(killed.status, SIGSEGV)
    }

    func testAHungChildIsKilledAndTheErrorNamesIt() throws {
        let start = Date()
        let p = shell("exec sleep 30")
        XCTAssertThrowsError(try ChildProcess.run(p, timeout: 0.5)) { error in
            XCTAssertEqual("\(error)", "`sh -c exec sleep 30` did not exit within 0.5 s; killed it (SIGTERM, then SIGKILL)")
        }
        XCTAssertFalse(p.isRunning)
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.terminationStatus, SIGTERM)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testAChildIgnoringSIGTERMIsKilledWithSIGKILL() throws {
        let start = Date()
        let p = shell("trap '' TERM; exec sleep 30")
        XCTAssertThrowsError(try ChildProcess.run(p, timeout: 0.5)) { XCTAssertTrue($0 is ChildProcess.TimedOut, "\($0)") }
        XCTAssertFalse(p.isRunning)
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.terminationStatus, SIGKILL)
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5 + ChildProcess.termGrace + 5)
    }
}
