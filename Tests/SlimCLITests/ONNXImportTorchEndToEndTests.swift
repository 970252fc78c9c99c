import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// PyTorch models exported with torch.onnx (bench/onnx_torch_models.py: the peer LeNet,
/// MobileNetV1 and ResNet20 with perturbed batch norm statistics at opset 13, a mixed module
/// using view(x.size(0), -1), hardswish, sigmoid gating, clamp, padded average pooling at
/// opsets 14 and 17, a decoder with PReLU, reflection padding, a transposed convolution, channel
/// slicing, bilinear and nearest interpolation at opsets 13 and 17, and these through the
/// torch.export-based exporter at opset 18) import with
/// `slim import` and agree with PyTorch's outputs on a random batch of 3 within 1e-4 of the
/// output scale. Needs bench/.venv with torch (skipped without).
final class ONNXImportTorchEndToEndTests: XCTestCase {
    func testTorchExportedModelsAgreeWithPyTorch() throws {
        try ONNXImportHarness.requireTorch()
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try ONNXImportHarness.runScript("onnx_torch_models.py", ["--out", "torch", "--dynamo"], in: slim, timeout: 600)
        XCTAssertEqual(made.status, 0, made.err)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(slim.bytes("torch/models.json"))) as? [[String: Any]])
        XCTAssertEqual(manifest.count, 10, made.out)
        for entry in manifest {
            let name = try XCTUnwrap(entry["name"] as? String), shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let imported = try slim.run(["import", "--model", "torch/\(name).onnx", "--save_path", "models/\(name)"])
            XCTAssertEqual(imported.status, 0, "\(name): \(imported.err)")
            guard imported.status == 0 else { continue }
            let input = Tensor(shape: shape, floats: try ONNXImportHarness.floats(slim.path("torch/\(name).input.f32")))
            let run = try ONNXImportHarness.run(slim.path("models/\(name)"), input: input)
            XCTAssertEqual(run.program.feeds, ["input"], name)
            XCTAssertEqual(run.program.fetches, ["output"], name)
            let output = try XCTUnwrap(run.outputs.first)
            XCTAssertEqual(output.shape, entry["output_shape"] as? [Int], name)
            let error = ONNXImportHarness.relativeError(output.floats, try ONNXImportHarness.floats(slim.path("torch/\(name).out0.f32")))
            XCTAssertLessThanOrEqual(error, 1e-4, name)
            print("torch \(name) (opset \(entry["opset"] ?? "")): relative error \(String(format: "%.2e", error))")
        }
    }
}
