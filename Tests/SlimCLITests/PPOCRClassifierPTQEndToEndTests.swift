import Foundation
import XCTest

/// Post-training quantization of a real pretrained model imported from ONNX: PP-OCR's
/// text-direction classifier (MobileNetV3, Paddle2ONNX, opset 11) on text-line crops that
/// PP-OCRv4's detector cuts from pictures Debian packages ship (bench/ppocr_cls_data.py).
/// `slim import` then `slim calibrate --algo mse` on 202 crops; the INT8 engine runs the
/// MobileNetV3 convolutions on integer kernels with hard swish fused; its top-1 agreement with the
/// FP32 model and with ONNX Runtime's own `quantize_static` INT8 model (all crops) is printed, and
/// the INT8 model must agree with the FP32 one on at least 88% of the crops (measured: 92.3%;
/// ONNX Runtime's INT8 agrees on 92.3%) and lose at most 2 points of top-1. ONNX Runtime's INT8
/// file itself (QDQ, uint8 activations with zero points) imported into slim keeps its zero points
/// and, on slim's INT8 engine, must agree with ONNX Runtime's INT8 run on at least 99% of the crops
/// (measured: 99.38-99.63% on AVX-512-VNNI; with the zero points widened to symmetric scales it was
/// 65.6%). `slim calibrate --activation_mode asymmetric --algo abs_max` on the same 808 crops ONNX
/// Runtime calibrates on (its MinMax, uint8 with zero points) must agree with ONNX Runtime's INT8 on
/// at least 90% (measured: 91.8%; ONNX Runtime's own INT8 variants agree with its default 87.8-91.1%,
/// bench/ppocr_cls_ptq.py --ort-variants) and stay within 2 points of FP32's top-1. "ONNX Runtime's
/// INT8 run" is its optimized run on VNNI hosts; without VNNI its integer kernels saturate (its
/// optimized run agrees with its own reference run on 77.8% of the crops on an AVX2 AMD EPYC), so
/// the reference run stands in there (measured: 99.01% and 91.46%).
/// Skips without the venv (with pillow) or the models.
final class PPOCRClassifierPTQEndToEndTests: XCTestCase {
    func testCalibratedClassifierAgreesWithFloatAndIsComparedWithONNXRuntime() throws {
        try ONNXImportHarness.requireVenv()
        let models = SlimRunner.repoRoot.appendingPathComponent("bench/models")
        let classifier = models.appendingPathComponent("ch_ppocr_mobile_v2.0_cls_infer.onnx").path
        let detector = models.appendingPathComponent("ch_PP-OCRv4_det_infer.onnx").path
        for path in [classifier, detector] where !FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("no \(path) (bench/setup_venv.sh fetches it)")
        }
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let data = try ONNXImportHarness.runScript("ppocr_cls_data.py", ["--detector", detector, "--output", "crops"], in: slim)
        guard data.status == 0 else {
            if data.err.contains("No module named 'PIL'") { throw XCTSkip("the venv has no pillow (make onnx-venv installs it)") }
            return XCTFail(data.err)
        }
        try slim.write("cls.yml", """
        architecture: Imported
        Imported: {model_dir: imported}
        seed: 1
        TrainReader:
          batch_size: 101
          image_shape: [3, 48, 192]
          dataset: {type: ImageFolder, dataset_dir: crops}
          transforms: [!Normalize {mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}]
        EvalReader:
          batch_size: 64
          image_shape: [3, 48, 192]
          dataset: {type: ImageFolder, dataset_dir: crops}
          transforms: [!Normalize {mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}]

        """)
        let imported = try slim.run(["import", "--model", classifier, "--save_path", "imported", "--input_shape", "1,3,48,192"])
        XCTAssertEqual(imported.status, 0, imported.err)
        let calibrate = try slim.run(["calibrate", "--model_path", "imported", "-c", "cls.yml", "--algo", "mse",
                                      "--batch_nums", "2", "--save_path", "ptq"])
        XCTAssertEqual(calibrate.status, 0, calibrate.err)
        for (dir, file) in [("imported", "fp32.jsonl"), ("ptq/int8", "int8.jsonl")] {
            let eval = try slim.run(["eval", "--model_path", dir, "-c", "cls.yml", "--output_predictions", file])
            XCTAssertEqual(eval.status, 0, eval.err)
            if dir == "ptq/int8" {
                // "engine: int8 (oneDNN u8/s8 kernels: 84 int8 ops, 31 fp32 ops)": with hard swish a post-op of
                // the integer convolutions (130 fp32 ops without it), only pooling, the SE gates and softmax stay f32.
                let counts = eval.out.split(separator: "\n").first { $0.hasPrefix("engine: int8") }
                let fp32Ops = try XCTUnwrap(counts.flatMap { $0.split(separator: ",").last?.split(separator: " ").first.flatMap { Int($0) } }, eval.out)
                XCTAssertLessThanOrEqual(fp32Ops, 40, eval.out)
            }
        }
        // Asymmetric uint8 activations from the observed min and max, on every crop (8 x 101).
        let asymmetric = try slim.run(["calibrate", "--model_path", "imported", "-c", "cls.yml", "--algo", "abs_max",
                                       "--activation_mode", "asymmetric", "--batch_nums", "8", "--save_path", "ptq_asym"])
        XCTAssertEqual(asymmetric.status, 0, asymmetric.err)
        XCTAssertTrue(asymmetric.out.contains(", zero point "), asymmetric.out)
        let asymEval = try slim.run(["eval", "--model_path", "ptq_asym/int8", "-c", "cls.yml", "--output_predictions", "int8_asym.jsonl"])
        XCTAssertEqual(asymEval.status, 0, asymEval.err)
        XCTAssertTrue(asymEval.out.contains("engine: int8"), asymEval.out)
        let compare = try ONNXImportHarness.runScript("ppocr_cls_ptq.py", [
            "--onnx", classifier, "--data", "crops", "--slim-fp32", "fp32.jsonl", "--slim-int8", "int8.jsonl"], in: slim)
        XCTAssertEqual(compare.status, 0, compare.err)
        print(compare.out)
        let line = try XCTUnwrap(compare.out.split(separator: "\n").first, compare.out)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let agreement = try XCTUnwrap(json["agreement"] as? [String: Double]), top1 = try XCTUnwrap(json["top1"] as? [String: Double])
        XCTAssertEqual(agreement["slim FP32 vs ORT FP32"] ?? 0, 1, accuracy: 0.002, "the imported model is ONNX Runtime's")
        XCTAssertGreaterThanOrEqual(agreement["slim INT8 vs ORT FP32"] ?? 0, 0.88)
        XCTAssertGreaterThanOrEqual((top1["slim INT8"] ?? 0) - (top1["slim FP32"] ?? 1), -0.02)

        // ONNX Runtime's INT8 file (written by the script above) on slim's INT8 engine, with its own quantization.
        let ortImport = try slim.run(["import", "--model", "cls_ort_int8.onnx", "--save_path", "ort_int8", "--input_shape", "1,3,48,192"])
        XCTAssertEqual(ortImport.status, 0, ortImport.err)
        XCTAssertTrue(ortImport.out.contains("keep their asymmetric uint8 zero points"), ortImport.out)
        let ortEval = try slim.run(["eval", "--model_path", "ort_int8", "-c", "cls.yml", "--output_predictions", "ort_int8.jsonl"])
        XCTAssertEqual(ortEval.status, 0, ortEval.err)
        XCTAssertTrue(ortEval.out.contains("engine: int8"), ortEval.out)
        let again = try ONNXImportHarness.runScript("ppocr_cls_ptq.py", [
            "--onnx", classifier, "--data", "crops", "--slim-fp32", "fp32.jsonl", "--slim-int8", "int8.jsonl",
            "--slim-ort-int8", "ort_int8.jsonl", "--slim-int8-asym", "int8_asym.jsonl", "--reuse-int8"], in: slim)
        XCTAssertEqual(again.status, 0, again.err)
        print(again.out)
        let line2 = try XCTUnwrap(again.out.split(separator: "\n").first, again.out)
        let json2 = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line2.utf8)) as? [String: Any])
        let agreement2 = try XCTUnwrap(json2["agreement"] as? [String: Double]), top2 = try XCTUnwrap(json2["top1"] as? [String: Double])
        // Against ONNX Runtime's unsaturated run of its INT8 file: on VNNI hosts its optimized run (integer
        // kernels, exact int32 sums); elsewhere those kernels saturate u8 x s8 pairs in int16 (bench/ort_session.py),
        // so the reference run (graph optimizations off: dequantize, float op, quantize) stands in.
        let ort = (json2["host_vnni"] as? Bool) == true ? "ORT INT8" : "ORT INT8 reference"
        XCTAssertGreaterThanOrEqual(agreement2["slim ORT-INT8 vs \(ort)"] ?? 0, 0.99, "ORT's INT8 file on slim's INT8 engine, against \(ort)")
        XCTAssertGreaterThanOrEqual(agreement2["slim INT8 asym vs \(ort)"] ?? 0, 0.90, "slim's asymmetric PTQ against \(ort)")
        XCTAssertGreaterThanOrEqual((top2["slim INT8 asym"] ?? 0) - (top2["slim FP32"] ?? 1), -0.02)
    }
}
