import Foundation
import SlimGraph
import SlimQuant
import XCTest

/// `slim calibrate` (post-training quantization) of YOLOv3-MobileNetV1 with every algorithm
/// (`KL` and `mse` as part of `mix`, which runs every observer and keeps each activation's
/// least-MSE threshold: on their own they add ~30 s of debug-build time and no other code path):
/// calibration batches feed `image` and `im_size`, thresholds for the convs' inputs, the eval
/// model / float / int8 written, the float model's mAP line printed, and the int8 model evaluated
/// on the INT8 engine.
final class DetectionCalibrateEndToEndTests: XCTestCase {
    func testEveryAlgorithmCalibratesTheDetector() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try DetectionCompressEndToEndTests.prepare(slim, test: 4)
        let model = ["-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + DetectionCompressEndToEndTests.tiny
        for algo in CalibrationAlgorithm.allCases.map(\.rawValue) where algo != "KL" && algo != "mse" {
            let r = try slim.run(["calibrate", "--model_path", "pre/yolov3_mobilenet_v1_voc/model_final", "--algo", algo,
                                  "--batch_nums", "1", "--save_path", "ptq_\(algo)"] + model)
            XCTAssertEqual(r.status, 0, "\(algo): \(r.err)")
            XCTAssertTrue(r.out.contains("calibrating pre/yolov3_mobilenet_v1_voc/model_final with \(algo) on 1 batches"), r.out)
            XCTAssertEqual(DetectionCompressEndToEndTests.mapLines(r.out).count, 1, "\(algo): \(r.out)")
            XCTAssertTrue(r.out.contains("ptq_\(algo)/float (PTQ \(algo)): map "), r.out)
            for file in ["eval_model/__model__", "eval_model/__params__", "float/model", "float/weights", "int8/model", "int8/weights"] {
                XCTAssertNotNil(slim.bytes("ptq_\(algo)/\(file)"), "\(algo): \(file)")
            }
        }
        let loaded = try ModelFile.load(from: slim.path("ptq_mix/eval_model"), modelName: nil, paramsName: nil)
        XCTAssertEqual(loaded.program.feeds, ["image", "im_size"])
        let convs = loaded.program.ops.filter { ["conv2d", "depthwise_conv2d"].contains($0.type) }
        XCTAssertTrue(!convs.isEmpty && convs.allSatisfy { $0.inputs["Input"]?.first?.hasSuffix(".dequantized") == true })
        let e = try slim.run(["eval", "--model_path", "ptq_mix/int8"] + model)
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertTrue(e.out.contains("engine: int8 (oneDNN u8/s8 kernels"), e.out)
        XCTAssertEqual(DetectionCompressEndToEndTests.mapLines(e.out).count, 1, e.out)
    }
}
