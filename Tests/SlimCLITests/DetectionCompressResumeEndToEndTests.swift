import Foundation
import XCTest

/// `slim compress` of the detector killed with SIGKILL after its first checkpoint and run again
/// resumes there and ends byte-identical to an uninterrupted run: checkpoints, frozen models and
/// the mobile ONNX.
final class DetectionCompressResumeEndToEndTests: XCTestCase {
    /// The shipped slim YAML over 2 epochs, freezing at the end of the last.
    static func slimYAML() throws -> String {
        let shipped = try String(contentsOf: DetectionCompressEndToEndTests.fixtures.appendingPathComponent("yolov3_mobilenet_v1_slim.yaml"), encoding: .utf8)
        return shipped.replacingOccurrences(of: "end_epoch: 0 ", with: "end_epoch: 1")
            .replacingOccurrences(of: "    epoch: 1\n", with: "    epoch: 2\n")
    }

    func testKilledDetectorCompressResumesByteIdentical() throws {
        let straight = try SlimRunner(), killed = try SlimRunner()
        defer { straight.cleanUp(); killed.cleanUp() }
        let yaml = try Self.slimYAML()
        XCTAssertTrue(yaml.contains("end_epoch: 1") && yaml.contains("    epoch: 2\n"), yaml)
        try DetectionCompressEndToEndTests.prepare(straight, test: 4)
        for item in ["voc", "pre", "yolov3_mobilenet_v1_voc.yml"] {
            try FileManager.default.copyItem(atPath: straight.path(item), toPath: killed.path(item))
        }
        for slim in [straight, killed] { try slim.write("two_epochs.yaml", yaml) }
        let args = ["compress", "-s", "two_epochs.yaml", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"]
            + DetectionCompressEndToEndTests.tiny + DetectionCompressEndToEndTests.compressOverrides
        let full = try straight.run(args)
        XCTAssertEqual(full.status, 0, full.err)
        XCTAssertEqual(DetectionCompressEndToEndTests.mapLines(full.out).count, 2, full.out)

        XCTAssertTrue(try killed.killedRun(args, when: "checkpoints/yolov3/0/strategies.json"), "the run ended before it could be killed")
        XCTAssertNil(killed.bytes("checkpoints/yolov3/1/context.json"))
        let resumed = try killed.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from ./checkpoints/yolov3/"), resumed.out)
        for file in ["checkpoints/yolov3/1/model/__params__", "checkpoints/yolov3/1/eval_model/__params__",
                     "checkpoints/yolov3/1/eval_model/__model__", "output/yolov3/float/weights", "output/yolov3/int8/weights",
                     "output/yolov3/mobile/model.onnx"] {
            let a = straight.bytes(file), b = killed.bytes(file)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, b, "\(file) differs between the straight and the resumed run")
        }
        XCTAssertEqual(DetectionCompressEndToEndTests.mapLines(resumed.out).last, DetectionCompressEndToEndTests.mapLines(full.out).last)
    }
}
