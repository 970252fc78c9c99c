import Foundation
import XCTest

/// Runs the built `slim bench` as `make bench` does. Never asserts anything about speed.
final class BenchEndToEndTests: XCTestCase {
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = ConfigShowEndToEndTests.slimBinary
        p.arguments = args
        p.currentDirectoryURL = ConfigShowEndToEndTests.repoRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testInt8WithoutTheEngineSaysSoAndExits1() throws {
        let r = try run(["bench", "--model", "lenet", "--mode", "infer", "--dtype", "int8", "--steps", "1", "--warmup", "0"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("error: --dtype int8 needs the INT8 engine"), r.err)
        XCTAssertEqual(r.out, "")
    }

    func testContradictoryOptionsAreUsageErrors() throws {
        let real = try run(["bench", "--model", "mbv1", "--mode", "train", "--data", "real"])
        XCTAssertEqual(real.status, 64, real.err)
        XCTAssertTrue(real.err.contains("--data real is for lenet only"), real.err)
        let unknown = try run(["bench", "--model", "mbv2", "--mode", "infer"])
        XCTAssertEqual(unknown.status, 64, unknown.err)
        XCTAssertTrue(unknown.err.contains("zoo models: lenet, mbv1, resnet20"), unknown.err)
        XCTAssertEqual(try run(["bench", "--model", "lenet", "--mode", "infer", "--batch", "0"]).status, 64)
        XCTAssertEqual(try run(["bench", "--model", "lenet", "--mode", "fly"]).status, 64)
    }

    func testTrainingASavedModelDirectoryIsAUsageError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["bench", "--model", dir.path, "--mode", "train"])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("inference only"), r.err)
    }
}
