import Foundation
import XCTest
@testable import SlimConfig

/// PaddleDetection release/0.1's `yolov3_mobilenet_v1_voc.yml` (the shipped file, a fixture):
/// every key is known, the feed sections have data_feed.py's defaults, the options slim does not
/// use are listed once, and URLs are refused where a model directory is read.
final class PaddleDetectionConfigTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/PaddleDetection/yolov3_mobilenet_v1_voc.yml").path

    private func load(_ overrides: [String] = []) throws -> ModelConfig {
        try ModelConfig.load(path: Self.fixture, overrides: overrides)
    }

    private func expectError(_ overrides: [String], _ text: String, line: UInt = #line) {
        XCTAssertThrowsError(try load(overrides), line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "expected '\(text)' in\n\(error)", line: line)
        }
    }

    func testShippedFileLoadsWithFeedSections() throws {
        let config = try load()
        XCTAssertEqual(config.readerSection(.train), "YoloTrainFeed")
        XCTAssertEqual(config.readerSection(.eval), "YoloEvalFeed")
        XCTAssertEqual(config.readerSection(.test), "YoloTestFeed")
        XCTAssertEqual(try config.int("snapshot_iter"), 2000)
        XCTAssertEqual(try config.string("map_type"), "11point")
        XCTAssertEqual(try config.double("YOLOv3Head.nms.nms_threshold"), 0.45)
        XCTAssertEqual(try config.int("YOLOv3Head.nms.background_label"), -1)
    }

    func testFeedClassDefaultsAreDataFeedPy() throws {
        let config = try load()
        XCTAssertEqual(try config.bool("YoloTrainFeed.shuffle"), true)
        XCTAssertEqual(try config.bool("YoloTrainFeed.drop_last"), true)
        XCTAssertEqual(try config.bool("YoloTrainFeed.with_background"), false)
        XCTAssertEqual(try config.int("YoloTrainFeed.num_max_boxes"), 50)
        XCTAssertEqual(try config.int("YoloTrainFeed.mixup_epoch"), 250)
        XCTAssertEqual(try config.value("YoloTrainFeed.image_shape")?.items?.compactMap(\.text), ["3", "608", "608"])
        XCTAssertEqual(try config.bool("YoloEvalFeed.shuffle"), false)
        XCTAssertEqual(try config.bool("YoloEvalFeed.drop_last"), false)
        XCTAssertEqual(try config.int("YoloEvalFeed.num_max_boxes"), 50)
        XCTAssertEqual(try config.int("YoloTestFeed.batch_size"), 1)
        XCTAssertEqual(try config.int("YoloEvalFeed.bufsize"), 128)
        // Only a training feed mixes images.
        expectError(["YoloEvalFeed.mixup_epoch=3"], "unknown key 'mixup_epoch' in YoloEvalFeed")
    }

    func testUnusedKeysAreListedOnce() throws {
        let config = try load()
        XCTAssertEqual(config.unusedKeys, ["use_gpu", "log_smooth_window", "use_fine_grained_loss", "MobileNet.norm_decay",
                                           "YOLOv3Head.norm_decay", "YOLOv3Loss.batch_size", "YoloTrainFeed.use_process"])
        XCTAssertEqual(config.unusedKeysNote?.split(separator: "\n").count, 1)
        XCTAssertTrue(config.unusedKeysNote?.hasPrefix("note: known to PaddleDetection but unused by slim: use_gpu, ") == true)
    }

    func testURLsAreRefusedWherePathsAreRead() throws {
        let config = try load()
        XCTAssertThrowsError(try config.localPath("pretrain_weights")) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual([e.diagnostics.first?.mark.line, e.diagnostics.first?.mark.column], [12, 19])
            XCTAssertTrue("\(e)".contains("slim does not download; give a local path"), "\(e)")
        }
        XCTAssertEqual(try config.localPath("weights"), "output/yolov3_mobilenet_v1_voc/model_final")
        XCTAssertEqual(try load(["pretrain_weights=models/mobilenet"]).localPath("pretrain_weights"), "models/mobilenet")
        XCTAssertThrowsError(try load(["weights=HTTPS://host/w.tar"]).localPath("weights"))
    }

    func testMetricMapTypeAndNMSAreChecked() throws {
        XCTAssertEqual(try load(["metric=COCO", "map_type=integral"]).string("map_type"), "integral")
        expectError(["map_type=11points"], "did you mean '11point'?")
        expectError(["metric=VCO"], "did you mean 'VOC'?")
        expectError(["YOLOv3Head.nms.nms_treshold=0.5"], "did you mean 'nms_threshold'?")
        expectError(["YOLOv3Head.yolo_loss=YOLOv3Los"], "did you mean 'YOLOv3Loss'?")
        expectError(["MultiClassNMS.keep_top_k=3"], "unknown top-level key 'MultiClassNMS'")
        let help = try XCTUnwrap(ModuleRegistry.shared.module("MultiClassNMS")).helpText
        XCTAssertTrue(help.contains("YOLOv3Head:\n  nms:\n    background_label: -1\n"), help)
        XCTAssertTrue(help.contains("-o YOLOv3Head.nms.keep_top_k=100"), help)
    }
}
