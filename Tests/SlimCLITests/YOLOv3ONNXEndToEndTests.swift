import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// `slim export` of a saved YOLOv3-MobileNetV1 inference model: cut at the three raw head outputs
/// by default (or at `--fetch`); when bench/.venv exists, ONNX Runtime's outputs on one batch
/// match slim's own eval-mode forward (bench/onnx_outputs_check.py). Without the venv that check
/// is skipped, except under CI=true, where it fails.
final class YOLOv3ONNXEndToEndTests: XCTestCase {
    static let python = SlimRunner.repoRoot.appendingPathComponent("bench/.venv/bin/python")
    static let check = SlimRunner.repoRoot.appendingPathComponent("bench/onnx_outputs_check.py")

    func testHeadOutputsInONNXRuntimeMatchSlim() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let head = try YOLOv3Head(numClasses: 4, scale: 0.25)
        let built = try YOLOv3(backbone: try MobileNetBackbone(scale: 0.25), head: head).build(inputShape: [3, 96, 64], seed: 11)
        var params = built.params
        perturbBatchNorm(&params)
        let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        try ModelFile.save(program: inference, params: params, to: slim.path("model"))

        let export = try slim.run(["export", "--model_path", "model", "--output", "yolo.onnx"])
        XCTAssertEqual(export.status, 0, export.err)
        let heads = YOLOv3.headOutputs(of: inference)
        XCTAssertTrue(export.out.contains("outputs: the YOLOv3 head outputs \(heads.joined(separator: ", "))"), export.out)
        let one = try slim.run(["export", "--model_path", "model", "--output", "one.onnx", "--fetch", heads[0]])
        XCTAssertEqual(one.status, 0, one.err)
        XCTAssertFalse(one.out.contains("head outputs"), one.out)
        let unknown = try slim.run(["export", "--model_path", "model", "--output", "bad.onnx", "--fetch", "no_such_var"])
        XCTAssertEqual(unknown.status, 65, unknown.err)
        XCTAssertTrue(unknown.err.contains("no_such_var"), unknown.err)
        XCTAssertNil(slim.bytes("bad.onnx"), "nothing written on error")

        var rng = SeededGenerator(seed: 3)
        let image = Tensor(shape: [2, 3, 96, 64], floats: (0..<2 * 3 * 96 * 64).map { _ in rng.nextUnitFloat() })
        let forward = try inference.pruned(feeds: ["image"], fetches: heads)
        let outputs = try Executor(program: forward, seed: 1).run(feeds: ["image": image], scope: Scope(params), mode: .eval, fetches: heads)
        try write(image, to: slim.path("image.f32"))
        for (i, name) in heads.enumerated() { try write(try XCTUnwrap(outputs[name]), to: slim.path("out\(i).f32")) }

        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            let missing = "no \(Self.python.path) (make onnx-venv creates it)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail("ONNX Runtime check cannot run under CI=true: \(missing)") }
            throw XCTSkip("ONNX Runtime check skipped: \(missing)")
        }
        let p = Process()
        p.executableURL = Self.python
        p.arguments = [Self.check.path, "--model", "yolo.onnx", "--input", "image.f32", "--shape", "2,3,96,64",
                       "--expected", "out0.f32", "out1.f32", "out2.f32", "--atol", "1e-3", "--rtol", "1e-3"]
        p.currentDirectoryURL = slim.workDir
        let r = try ChildProcess.run(p)
        XCTAssertEqual(r.status, 0, "\(r.out) \(r.err)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out + r.err)
        XCTAssertEqual(json["ok"] as? Bool, true, r.out)
        let ops = try XCTUnwrap(json["ops"] as? [String])
        XCTAssertTrue(ops.contains("LeakyRelu") && ops.contains("Resize"), r.out)
        let shapes = (json["outputs"] as? [[String: Any]])?.compactMap { $0["shape"] as? [Int] }
        XCTAssertEqual(shapes, [[2, 27, 3, 2], [2, 27, 6, 4], [2, 27, 12, 8]], r.out)
    }

    /// Moving statistics away from 0 and 1, so eval-mode batch norm is not an identity.
    private func perturbBatchNorm(_ params: inout [String: Tensor]) {
        for (name, t) in params {
            let mean = name.hasSuffix("_bn_mean") || name.hasSuffix(".bn.mean")
            guard mean || name.hasSuffix("_bn_variance") || name.hasSuffix(".bn.var") else { continue }
            let base: Float = mean ? 0 : 1
            params[name] = Tensor(shape: t.shape, floats: (0..<t.count).map { base + 0.1 * Float(($0 * 7) % 5) })
        }
    }

    private func write(_ t: Tensor, to path: String) throws {
        let data = t.floats.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
