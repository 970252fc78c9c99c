import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// `slim import` of one tiny ONNX model per converter case (bench/onnx_import_cases.py builds
/// them with onnx.helper and runs them in ONNX Runtime): every imported model's outputs agree
/// with ONNX Runtime's on a random batch of 2 within 1e-4 of the output's scale, and the feeds
/// and fetches keep the ONNX names with a dynamic batch. Every imported model whose ops `slim
/// export` translates is exported again and agrees with the original ONNX Runtime outputs (the
/// others fail naming the op that cannot be exported). Needs bench/.venv (skipped without).
final class ONNXImportEndToEndTests: XCTestCase {
    func testEveryConverterCaseAgreesWithONNXRuntime() throws {
        try ONNXImportHarness.requireVenv()
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try ONNXImportHarness.runScript("onnx_import_cases.py", ["--out", "cases"], in: slim)
        XCTAssertEqual(made.status, 0, made.err)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(slim.bytes("cases/cases.json"))) as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(manifest.count, 40)
        var worst: [(String, Double)] = [], notExported: [String] = []
        try FileManager.default.createDirectory(atPath: slim.path("again"), withIntermediateDirectories: true)
        for entry in manifest {
            let name = try XCTUnwrap(entry["name"] as? String), shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let imported = try slim.run(["import", "--model", "cases/\(name).onnx", "--save_path", "models/\(name)"])
            XCTAssertEqual(imported.status, 0, "\(name): \(imported.err)")
            guard imported.status == 0 else { continue }
            let input = Tensor(shape: shape, floats: try ONNXImportHarness.floats(slim.path("cases/\(name).input.f32")))
            let run = try ONNXImportHarness.run(slim.path("models/\(name)"), input: input)
            XCTAssertEqual(run.program.feeds, ["x"], name)
            XCTAssertEqual(run.program.variable("x")?.shape.first, -1, name)
            XCTAssertEqual(run.program.fetches, entry["output_names"] as? [String], name)
            let shapes = try XCTUnwrap(entry["outputs"] as? [[Int]])
            for (k, output) in run.outputs.enumerated() {
                XCTAssertEqual(output.shape, shapes[k], "\(name) output \(k)")
                let error = ONNXImportHarness.relativeError(output.floats, try ONNXImportHarness.floats(slim.path("cases/\(name).out\(k).f32")))
                XCTAssertLessThanOrEqual(error, 1e-4, "\(name) output \(k)")
                worst.append((name, error))
            }
            let export = try slim.run(["export", "--model_path", "models/\(name)", "--output", "again/\(name).onnx"])
            if export.status != 0 {
                XCTAssertEqual(export.status, 65, "\(name): \(export.err)")
                XCTAssertTrue(export.err.contains("cannot export to ONNX: op '"), "\(name): \(export.err)")
                notExported.append(name)
            }
        }
        let recheck = try ONNXImportHarness.runScript("onnx_import_cases.py", ["--recheck", "cases", "--models", "again"], in: slim)
        let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(recheck.out.utf8)) as? [String: Double], recheck.out + recheck.err)
        XCTAssertEqual(again.count + notExported.count, manifest.count, recheck.out)
        for (name, error) in again { XCTAssertLessThanOrEqual(error, 1e-4, "\(name) exported again") }
        print("exported again: \(again.count) cases (largest relative error \(again.values.max() ?? 0)); not exportable: \(notExported.sorted())")
        let summary = worst.sorted { $0.1 > $1.1 }.prefix(5).map { "\($0.0) \(String(format: "%.2e", $0.1))" }
        print("ONNX import cases: \(worst.count) outputs, largest relative errors: \(summary.joined(separator: ", "))")
    }
}
