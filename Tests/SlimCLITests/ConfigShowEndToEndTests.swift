import Foundation
import XCTest

/// Runs the built `slim` binary as a user would.
final class ConfigShowEndToEndTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `slim` executable next to the test bundle (works with any --scratch-path).
    static var slimBinary: URL {
        var dir = Bundle(for: ConfigShowEndToEndTests.self).bundleURL
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("slim")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir.deleteLastPathComponent()
        }
        return repoRoot.appendingPathComponent(".build/debug/slim")
    }

    func run(_ args: [String], timeout: TimeInterval = ChildProcess.defaultTimeout) throws -> ChildProcess.Result {
        let p = Process()
        p.executableURL = Self.slimBinary
        p.arguments = args
        p.currentDirectoryURL = Self.repoRoot
        return try ChildProcess.run(p, timeout: timeout)
    }

    func testConfigShowMergesTheSeedOverrides() throws {
        let r = try run(["config", "show", "-c", "examples/lenet_fashion_mnist/model.yml",
                         "-o", "max_iters=258", "LearningRate.base_lr=0.0001",
                         "LearningRate.schedulers=[!PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}]",
                         "TrainReader.batch_size=64"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("max_iters: 258  # overridden by -o"), r.out)
        XCTAssertTrue(r.out.contains("base_lr: 0.0001  # overridden by -o"), r.out)
        XCTAssertTrue(r.out.contains("- !PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}"), r.out)
        XCTAssertTrue(r.out.contains("batch_size: 64  # overridden by -o"), r.out)
    }

    func testEveryExampleYAMLLoads() throws {
        let examples = Self.repoRoot.appendingPathComponent("examples")
        var checked = 0
        for folder in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() {
            let dir = examples.appendingPathComponent(folder)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where file.hasSuffix(".yml") {
                let r = try run(["config", "show", "-c", "examples/\(folder)/\(file)"])
                XCTAssertEqual(r.status, 0, "examples/\(folder)/\(file): \(r.err)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 5, "the examples' model.yml files and the detector's backbone.yml")
    }

    func testBrokenYAMLExits65WithAPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.yml")
        try "architecture: LeNet5\nLearningRate:\n  base_lr: [0.1\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["config", "show", "-c", file.path])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.hasPrefix("\(file.path):4:1: error: YAML syntax"), r.err)
    }

    func testHelpListsThePipelineAndUsageErrorsExit64() throws {
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        for command in ["train", "compress", "freeze", "eval", "infer", "calibrate", "export", "bench", "config"] {
            XCTAssertTrue(help.out.contains("  \(command)"), "missing \(command) in\n\(help.out)")
        }
        XCTAssertEqual(try run(["config", "show"]).status, 64)
    }

    func testConfigListAndHelp() throws {
        let list = try run(["config", "list"])
        XCTAssertEqual(list.status, 0)
        for name in ["LearningRate", "PiecewiseDecay", "OptimizerBuilder", "TrainReader", "MobileNetV1"] {
            XCTAssertTrue(list.out.contains(name), list.out)
        }
        let help = try run(["config", "help", "LearningRate"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("base_lr"), help.out)
        XCTAssertTrue(help.out.contains("-o LearningRate.base_lr=0.01"), help.out)
        let tagged = try run(["config", "help", "PiecewiseDecay"])
        XCTAssertTrue(tagged.out.contains("- !PiecewiseDecay {gamma: 0.1, milestones: []}"), tagged.out)
        let unknown = try run(["config", "help", "LerningRate"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.err.contains("did you mean 'LearningRate'?"), unknown.err)
    }

    func testTruncatedConfigsExit65OrLoadButNeverCrash() throws {
        let original = try Data(contentsOf: Self.repoRoot.appendingPathComponent("examples/lenet_fashion_mnist/model.yml"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cut.yml")
        var failures = 0
        for cut in stride(from: 0, to: original.count, by: max(original.count / 12, 1)) {
            try original.prefix(cut).write(to: file)
            let r = try run(["config", "show", "-c", file.path])
            XCTAssertTrue([0, 65].contains(r.status), "cut \(cut): status \(r.status)\n\(r.err)")
            if r.status == 65 {
                failures += 1
                XCTAssertTrue(r.err.hasPrefix(file.path + ":"), r.err)
                XCTAssertTrue(r.err.contains(": error: "), r.err)
            }
        }
        XCTAssertGreaterThan(failures, 0, "short prefixes lack 'architecture' and must fail")
    }
}
