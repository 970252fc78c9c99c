import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// `slim import` of INT8 QDQ models as ONNX Runtime's `quantize_static` writes them (uint8
/// activations with non-zero zero points, per-channel int8 weights; bench/onnx_qdq_cases.py):
/// a padded strided convolution with the ReLU ORT drops into a uint8 zero point 0, a depthwise
/// convolution with uneven padding, a MatMul. The imported model keeps the zero points, and its
/// INT8 engine run (integer kernels, padding with the zero point) and its float emulation agree
/// with ONNX Runtime's reference run of the INT8 file on a random batch (graph optimizations off:
/// the file's own QDQ arithmetic; ORT's fused integer kernels saturate on hosts without VNNI,
/// bench/ort_session.py): every output within one uint8 step of the output's DequantizeLinear, at
/// least 97% of them equal. (With the zero points widened to symmetric scales, one bit coarser,
/// most outputs move by a step or more.) `slim export` of the imported model writes the zero
/// points back as uint8 QDQ: ONNX Runtime's reference run of the exported file gives the original
/// file's outputs within one step. Needs bench/.venv.
final class ONNXImportQDQEndToEndTests: XCTestCase {
    func testAsymmetricQDQModelsAgreeWithONNXRuntimeINT8() throws {
        try ONNXImportHarness.requireVenv()
        Int8Ops.register()
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try ONNXImportHarness.runScript("onnx_qdq_cases.py", ["--out", "cases"], in: slim)
        XCTAssertEqual(made.status, 0, made.err)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(slim.bytes("cases/cases.json"))) as? [[String: Any]])
        XCTAssertEqual(manifest.count, 3)
        for entry in manifest {
            let name = try XCTUnwrap(entry["name"] as? String), shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let step = try XCTUnwrap(entry["output_step"] as? Double)
            let imported = try slim.run(["import", "--model", "cases/\(name).onnx", "--save_path", "models/\(name)"])
            XCTAssertEqual(imported.status, 0, "\(name): \(imported.err)")
            XCTAssertTrue(imported.out.contains("keep their asymmetric uint8 zero points"), imported.out)
            guard imported.status == 0 else { continue }
            let input = Tensor(shape: shape, floats: try ONNXImportHarness.floats(slim.path("cases/\(name).input.f32")))
            let want = try ONNXImportHarness.floats(slim.path("cases/\(name).out0.f32"))
            print("\(name): ORT's optimized INT8 run (host VNNI: \(entry["host_vnni"] ?? "?")) equals its reference run on "
                  + "\(entry["fused_equal"] ?? "?") of the outputs, at most \(entry["fused_max_steps"] ?? "?") steps apart")
            let model = try ModelFile.load(from: slim.path("models/\(name)"))
            XCTAssertTrue(InferenceEngine.isInt8Model(model.program), name)
            for engine in [InferenceEngine.int8, .float] {
                let (program, params) = try engine.executionModel(program: model.program, params: model.params)
                if engine == .int8 {
                    XCTAssertTrue(program.ops.contains { $0.type == Int8QuantizeOp.type && $0.attrs["zero_point"] != nil }, name)
                    // The zero point reaches the integer op: oneDNN's source zero point on VNNI (convolutions), else the bias.
                    XCTAssertTrue(program.ops.contains { $0.attrs["input_zero_point"] != nil || ($0.attrs["input_shift"]?.intValue ?? 0) > 0 }, name)
                }
                let feed = try XCTUnwrap(program.feeds.first)
                let outputs = try Executor(program: program, seed: 1).run(feeds: [feed: input], scope: Scope(params), mode: .eval,
                                                                            fetches: program.fetches)
                let got = try XCTUnwrap(outputs[try XCTUnwrap(program.fetches.first)]).floats
                XCTAssertEqual(got.count, want.count, name)
                let steps = zip(got, want).map { Double(abs($0 - $1)) / step }
                let equal = Double(steps.filter { $0 < 0.01 }.count) / Double(max(steps.count, 1))
                print("\(name) \(engine): \(Int(equal * 1000) / 10)% of \(steps.count) outputs equal ORT's reference INT8 run, largest difference \(String(format: "%.2f", steps.max() ?? 0)) steps")
                XCTAssertLessThanOrEqual(steps.max() ?? .infinity, 1.01, "\(name) \(engine)")
                XCTAssertGreaterThanOrEqual(equal, 0.97, "\(name) \(engine)")
            }
            let exported = try slim.run(["export", "--model_path", "models/\(name)", "--output", "cases/\(name).exported.onnx"])
            XCTAssertEqual(exported.status, 0, "\(name): \(exported.err)")
            let check = try ONNXImportHarness.runScript("onnx_outputs_check.py", [
                "--model", "cases/\(name).exported.onnx", "--input", "cases/\(name).input.f32", "--shape", shape.map(String.init).joined(separator: ","),
                "--expected", "cases/\(name).out0.f32", "--atol", String(step * 1.01), "--rtol", "0", "--reference"], in: slim)
            XCTAssertEqual(check.status, 0, "\(name): the exported QDQ file in ONNX Runtime: \(check.out) \(check.err)")
        }
    }
}
