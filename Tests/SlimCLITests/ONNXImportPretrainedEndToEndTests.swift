import Foundation
import SlimGraph
import SlimTensor
import SlimTrain
import XCTest

/// Real pretrained models: PP-OCRv4's text detector and PP-OCR's mobile direction classifier
/// (ONNX files of the rapidocr-onnxruntime wheel, unpacked into bench/models/ by
/// bench/setup_venv.sh) import with `slim import` and, on real images (screenshots and diagrams
/// shipped by Debian packages: valgrind, nodejs, gnupg), give FP32 outputs within 1e-4 of ONNX
/// Runtime's (max |slim - ORT| / max |ORT|); `slim export` of the imported models gives ONNX
/// files that reproduce slim's outputs in ONNX Runtime. Skips without the venv, the models or
/// the images.
final class ONNXImportPretrainedEndToEndTests: XCTestCase {
    static let models = SlimRunner.repoRoot.appendingPathComponent("bench/models")
    static let images = ["/usr/share/doc/valgrind/html/images/kcachegrind_xtree.png",
                         "/usr/share/doc/nodejs/contributing/doc_img/scatter-plot.png",
                         "/usr/share/info/gnupg-module-overview.png"]

    struct Model {
        var file: String, size: ImageSize, mean: [Float], std: [Float]
    }

    static let detector = Model(file: "ch_PP-OCRv4_det_infer.onnx", size: ImageSize(height: 160, width: 224),
                                mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    static let classifier = Model(file: "ch_ppocr_mobile_v2.0_cls_infer.onnx", size: ImageSize(height: 48, width: 192),
                                  mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    func testPPOCRDetectorAndClassifierAgreeWithONNXRuntime() throws {
        try ONNXImportHarness.requireVenv()
        let images = Self.images.filter { FileManager.default.fileExists(atPath: $0) }
        guard !images.isEmpty else { throw XCTSkip("none of \(Self.images) is installed") }
        for model in [Self.detector, Self.classifier] {
            let path = Self.models.appendingPathComponent(model.file).path
            guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no \(path) (bench/setup_venv.sh fetches it)") }
        }
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        for model in [Self.detector, Self.classifier] {
            let shape = "1,3,\(model.size.height),\(model.size.width)"
            let imported = try slim.run(["import", "--model", Self.models.appendingPathComponent(model.file).path, "--save_path", model.file, "--input_shape", shape])
            XCTAssertEqual(imported.status, 0, "\(model.file): \(imported.err)")
            guard imported.status == 0 else { continue }
            let input = try Self.batch(images, model)
            let run = try ONNXImportHarness.run(slim.path(model.file), input: input)
            try ONNXImportHarness.write(input, to: slim.path("input.f32"))
            let output = try XCTUnwrap(run.outputs.first)
            try ONNXImportHarness.write(output, to: slim.path("expected.f32"))
            let check = try ONNXImportHarness.runScript("onnx_outputs_check.py", [
                "--model", Self.models.appendingPathComponent(model.file).path, "--input", "input.f32",
                "--shape", ([images.count, 3, model.size.height, model.size.width]).map(String.init).joined(separator: ","),
                "--expected", "expected.f32", "--atol", "1", "--rtol", "0"], in: slim)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any], check.out + check.err)
            let first = try XCTUnwrap((json["outputs"] as? [[String: Any]])?.first, check.out)
            XCTAssertEqual(first["shape"] as? [Int], output.shape, model.file)
            let diff = try XCTUnwrap(first["max_abs_diff"] as? Double), scale = try XCTUnwrap(first["max_abs"] as? Double)
            XCTAssertLessThanOrEqual(diff / scale, 1e-4, "\(model.file): \(check.out)")
            print("pretrained \(model.file): output \(output.shape), max |slim - ORT| \(diff), max |ORT| \(scale), relative \(diff / scale)")
            try checkExportedAgain(model, slim: slim, batch: images.count)
        }
    }

    /// `slim export` of the imported model runs in ONNX Runtime with the outputs slim computed.
    func checkExportedAgain(_ model: Model, slim: SlimRunner, batch: Int) throws {
        let export = try slim.run(["export", "--model_path", model.file, "--output", "again.onnx"])
        XCTAssertEqual(export.status, 0, "\(model.file): \(export.err)")
        let check = try ONNXImportHarness.runScript("onnx_outputs_check.py", [
            "--model", "again.onnx", "--input", "input.f32", "--shape", "\(batch),3,\(model.size.height),\(model.size.width)",
            "--expected", "expected.f32", "--atol", "1", "--rtol", "0"], in: slim)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any], check.out + check.err)
        let first = try XCTUnwrap((json["outputs"] as? [[String: Any]])?.first, check.out)
        let diff = try XCTUnwrap(first["max_abs_diff"] as? Double), scale = try XCTUnwrap(first["max_abs"] as? Double)
        XCTAssertLessThanOrEqual(diff / scale, 1e-4, "\(model.file) exported again: \(check.out)")
        print("pretrained \(model.file) exported again: relative \(diff / scale)")
    }

    /// The images resized (bilinear) to the model's input, scaled to [0, 1] and normalized per
    /// channel, as PP-OCR's preprocessing.
    static func batch(_ paths: [String], _ model: Model) throws -> Tensor {
        var floats: [Float] = []
        for path in paths {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: path), path)
            let image = try ImageCodec.decodePNG([UInt8](data), path: path).converted(toChannels: 3).resized(to: model.size)
            let plane = model.size.height * model.size.width, chw = image.chwFloats
            for c in 0..<3 { floats += chw[(c * plane)..<((c + 1) * plane)].map { ($0 / 255 - model.mean[c]) / model.std[c] } }
        }
        return Tensor(shape: [paths.count, 3, model.size.height, model.size.width], floats: floats)
    }
}
