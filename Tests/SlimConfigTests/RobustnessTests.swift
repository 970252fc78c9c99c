import XCTest
import SlimTensor
@testable import SlimConfig

/// Truncated and mutated configs must give a positioned ConfigError (or load), never crash or hang.
final class RobustnessTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("slim-robust-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func exampleFiles() throws -> [URL] {
        let fm = FileManager.default
        var files: [URL] = []
        for dir in ["examples", "strategies"] {
            let base = Self.repoRoot.appendingPathComponent(dir)
            for case let rel as String in fm.enumerator(atPath: base.path) ?? NSEnumerator() where rel.hasSuffix(".yml") || rel.hasSuffix(".yaml") {
                files.append(base.appendingPathComponent(rel))
            }
        }
        return files
    }

    /// Loads `bytes` as a model YAML (or slim YAML) and checks the outcome is a load or a positioned error.
    private func check(_ bytes: [UInt8], slim: Bool, label: String) throws {
        let file = scratch.appendingPathComponent(slim ? "s.yaml" : "m.yml")
        try Data(bytes).write(to: file)
        do {
            if slim { _ = try CompressionConfig.load(path: file.path) } else { _ = try ModelConfig.load(path: file.path) }
        } catch let error as ConfigError {
            let d = try XCTUnwrap(error.diagnostics.first, label)
            XCTAssertEqual(d.mark.file, file.path, label)
            XCTAssertGreaterThanOrEqual(d.mark.line, 1, label)
            XCTAssertGreaterThanOrEqual(d.mark.column, 1, label)
            XCTAssertTrue(error.description.hasPrefix("\(file.path):\(d.mark.line):\(d.mark.column): error: "), label)
        }
    }

    func testEveryPrefixTruncation() throws {
        for url in try exampleFiles() {
            let bytes = Array(try Data(contentsOf: url))
            let slim = url.pathExtension == "yaml"
            for cut in 0..<bytes.count { try check(Array(bytes[..<cut]), slim: slim, label: "\(url.lastPathComponent) cut at \(cut)") }
        }
    }

    func testSeededByteMutations() throws {
        var rng = SeededGenerator(seed: 2026)
        let alphabet = Array(":-[]{}!&*#'\"\n \t,|>%@`?<=0a\u{00}".utf8) + [0xFF, 0xC3]
        for url in try exampleFiles() {
            let original = Array(try Data(contentsOf: url))
            let slim = url.pathExtension == "yaml"
            for trial in 0..<300 {
                var bytes = original
                for _ in 0...(trial % 3) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    }
                }
                try check(bytes, slim: slim, label: "\(url.lastPathComponent) mutation \(trial)")
            }
        }
    }
}
