import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// Helpers of the `slim import` tests: the bench venv's Python, raw f32 files, running an
/// imported model directory, and the agreement measure.
enum ONNXImportHarness {
    static let python = SlimRunner.repoRoot.appendingPathComponent("bench/.venv/bin/python")

    /// Skips (or fails under CI=true) when the bench venv is missing.
    static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            let missing = "no \(python.path) (make onnx-venv creates it)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw XCTSkip("CI=true needs \(missing)") }
            throw XCTSkip("ONNX import check skipped: \(missing)")
        }
    }

    /// Skips unless the venv's Python imports torch (bench/setup_venv.sh installs it from a local
    /// CPU wheel; `make test` runs it when the machine has one).
    static func requireTorch() throws {
        try requireVenv()
        let p = Process()
        p.executableURL = python
        p.arguments = ["-c", "import torch"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("PyTorch check skipped: \(python.path) has no torch (bench/setup_venv.sh installs it from /opt/wheels)") }
    }

    /// Runs `bench/<script>` with `args` in `slim`'s work directory.
    static func runScript(_ script: String, _ args: [String], in slim: SlimRunner, timeout: TimeInterval = 300) throws -> ChildProcess.Result {
        let p = Process()
        p.executableURL = python
        p.arguments = [SlimRunner.repoRoot.appendingPathComponent("bench/\(script)").path] + args
        p.currentDirectoryURL = slim.workDir
        return try ChildProcess.run(p, timeout: timeout)
    }

    /// Little-endian f32 values of a raw file.
    static func floats(_ path: String) throws -> [Float] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path), path)
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    static func write(_ t: Tensor, to path: String) throws {
        try t.floats.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: path))
    }

    /// The fetches of the model directory `dir` for one input (the program's single feed).
    static func run(_ dir: String, input: Tensor) throws -> (program: Program, outputs: [Tensor]) {
        let model = try ModelFile.load(from: dir)
        let feed = try XCTUnwrap(model.program.feeds.first)
        let outputs = try Executor(program: model.program, seed: 1)
            .run(feeds: [feed: input], scope: Scope(model.params), mode: .eval, fetches: model.program.fetches)
        return (model.program, try model.program.fetches.map { try XCTUnwrap(outputs[$0], $0) })
    }

    /// max |got - want| / max |want| (the error relative to the output's scale).
    static func relativeError(_ got: [Float], _ want: [Float]) -> Double {
        guard got.count == want.count, !want.isEmpty else { return .infinity }
        let scale = want.map { Double(abs($0)) }.max() ?? 0
        let diff = zip(got, want).map { Double(abs($0 - $1)) }.max() ?? 0
        return diff / max(scale, 1e-12)
    }
}
