import Foundation
import SlimConfig
import SlimGraph
import XCTest
@testable import SlimTrain

/// The reader sections and NMS of PaddleDetection's `yolov3_mobilenet_v1_voc.yml` (the shipped
/// file) on a two-image VOC set with its own `label_list.txt` (`-d` replacing `dataset_dir`).
final class FeedReaderTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/PaddleDetection/yolov3_mobilenet_v1_voc.yml").path
    static let small = ["YoloTrainFeed.image_shape=[3, 32, 32]", "YoloEvalFeed.image_shape=[3, 32, 32]",
                        "YoloTrainFeed.dataset.use_default_label=false", "YoloEvalFeed.dataset.use_default_label=false",
                        "YoloTrainFeed.batch_size=2", "num_classes=2", "pretrain_weights=''", "MobileNet.scale=0.25"]

    private var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("feed-" + UUID().uuidString).path
        for sub in ["JPEGImages", "Annotations"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        var list = ""
        for (name, label) in [("a", "cat"), ("b", "dog")] {
            let pixels = [UInt8](repeating: 90, count: 40 * 20 * 3)
            try ImageCodec.encodePNG(pixels: pixels, width: 40, height: 20, channels: 3, to: "\(dir)/JPEGImages/\(name).png")
            let xml = VOCAnnotationWriter.xml(folder: "JPEGImages", filename: "\(name).png", width: 40, height: 20, depth: 3,
                                              objects: [.init(name: label, xmin: 2, ymin: 2, xmax: 30, ymax: 15)])
            try xml.write(toFile: "\(dir)/Annotations/\(name).xml", atomically: true, encoding: .utf8)
            list += "JPEGImages/\(name).png Annotations/\(name).xml\n"
        }
        for file in ["trainval.txt", "test.txt"] { try list.write(toFile: "\(dir)/\(file)", atomically: true, encoding: .utf8) }
        try "cat\ndog\n".write(toFile: "\(dir)/label_list.txt", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func config(_ extra: [String] = []) throws -> ModelConfig {
        try ModelConfig.load(path: Self.fixture, overrides: Self.small + extra)
    }

    func testFeedSectionsReadVOCWithDataFeedDefaults() throws {
        let train = try ReaderSpec(try config(["YoloTrainFeed.bufsize=5"]), reader: .train, datasetDir: dir)
        XCTAssertEqual(train.section, "YoloTrainFeed")
        XCTAssertEqual([train.batchSize, train.prefetch, train.mixupEpoch, train.workers], [2, 3, 250, 8])
        XCTAssertEqual([train.shuffle, train.dropLast], [true, true])
        XCTAssertEqual(train.dataset.classNames, ["cat", "dog"], "a .txt annotation is a VOC list")
        XCTAssertEqual(try train.transforms.outputShape([3, 20, 40]), [3, 32, 32], "the default transforms resize to image_shape")
        let eval = try ReaderSpec(try config(), reader: .eval, datasetDir: dir)
        XCTAssertEqual([eval.batchSize, eval.prefetch, eval.mixupEpoch], [8, 16, -1])
        XCTAssertEqual([eval.shuffle, eval.dropLast], [false, false])
        XCTAssertEqual(try ReaderSpec(try config(["YoloTrainFeed.samples=1"]), reader: .train, datasetDir: dir).dataset.count, 1)
        // Inference takes a section's transforms without its data set.
        let test = try ReaderSpec.sectionTransforms(try config(), section: "YoloTestFeed", imageShape: [3, 608, 608])
        XCTAssertEqual(try test.outputShape([3, 20, 40]), [3, 608, 608])
        let given = try ReaderSpec.sectionTransforms(try config(["YoloTestFeed.sample_transforms=[!Resize {target_dim: 64}]"]),
                                                     section: "YoloTestFeed", imageShape: [3, 608, 608])
        XCTAssertEqual(try given.outputShape([3, 20, 40]), [3, 64, 64])
    }

    func testFeedErrorsArePositioned() throws {
        XCTAssertThrowsError(try ReaderSpec(try config(["YoloTrainFeed.batch_transforms=[!Resize {target_dim: 32}]"]), reader: .train, datasetDir: dir)) {
            XCTAssertTrue("\($0)".contains("YoloTrainFeed.batch_transforms"), "\($0)")
        }
        XCTAssertThrowsError(try ReaderSpec(try config(["YoloTrainFeed.bufsize=-1"]), reader: .train, datasetDir: dir)) {
            XCTAssertTrue("\($0)".contains("YoloTrainFeed.bufsize: must be >= 0"), "\($0)")
        }
        // Without -d the file's dataset_dir (dataset/voc) is read: a missing file, named.
        XCTAssertThrowsError(try ReaderSpec(try config(), reader: .train)) { XCTAssertTrue("\($0)".contains("dataset/voc"), "\($0)") }
    }

    func testNMSOptionsReachTheProgram() throws {
        let config = try config(["YOLOv3Head.nms={background_label: 0, keep_top_k: 7, nms_threshold: 0.3, nms_top_k: 20, normalized: true, score_threshold: 0.05}"])
        let model = try ModelFactory.make(config, imageShape: [3, 32, 32])
        let nms = try XCTUnwrap(model.program.ops.first { $0.type == "multiclass_nms" })
        XCTAssertEqual([nms.int("background_label", default: 9), nms.int("keep_top_k", default: 9), nms.int("nms_top_k", default: 9)], [0, 7, 20])
        XCTAssertEqual(nms.float("nms_threshold", default: 9), 0.3, accuracy: 1e-9)
        XCTAssertEqual(nms.float("score_threshold", default: 9), 0.05, accuracy: 1e-9)
        XCTAssertTrue(nms.bool("normalized", default: false))
        let boxes = model.program.ops.filter { $0.type == "yolo_box" }
        XCTAssertEqual(boxes.count, 3)
        XCTAssertEqual(boxes.map { $0.float("conf_thresh", default: 9) }, [0.05, 0.05, 0.05])
        XCTAssertThrowsError(try ModelFactory.make(try self.config(["YOLOv3Head.nms.keep_top_k=0"]), imageShape: [3, 32, 32])) {
            XCTAssertTrue("\($0)".contains("keep_top_k: must be -1 (all) or > 0"), "\($0)")
        }
    }

    func testMapTypeAndMetricReachTheSession() throws {
        let trainer = try FloatTrainer(config: try config(["map_type=integral", "metric=COCO", "max_iters=1"]), datasetDir: dir, log: { _ in })
        XCTAssertEqual(trainer.session.mapType, .integral)
        XCTAssertEqual(trainer.session.metricKind, .coco)
        XCTAssertNil(trainer.bestMetric, "a detector's best epoch is its primary value")
        XCTAssertThrowsError(try FloatTrainer(config: try config(["metric=top1"]), datasetDir: dir, log: { _ in })) {
            XCTAssertTrue("\($0)".contains("metric top1 does not apply to YOLOv3"), "\($0)")
        }
    }
}
