import Foundation
import XCTest

/// PaddleDetection release/0.1's `configs/yolov3_mobilenet_v1_voc.yml`, unchanged
/// (`Tests/Fixtures/PaddleDetection`): shown with the seed's overrides, trained for two steps on
/// a generated fashion-voc set (snapshots every `snapshot_iter`, `model_final`), evaluated
/// through its `weights`; its URL `pretrain_weights` and default VOC labels are clear errors.
final class PaddleDetectionConfigEndToEndTests: XCTestCase {
    static let fixture = SlimRunner.repoRoot.appendingPathComponent("Tests/Fixtures/PaddleDetection/yolov3_mobilenet_v1_voc.yml")

    /// Overrides that make the shipped file a tiny CPU run on `slim dataset fashion-voc` output.
    static let tiny = ["max_iters=2", "epoch=1", "MobileNet.scale=0.25", "YoloTrainFeed.image_shape=[3, 96, 96]",
                       "YoloEvalFeed.image_shape=[3, 96, 96]", "YoloTrainFeed.batch_size=2", "YoloEvalFeed.batch_size=2",
                       "YoloTrainFeed.dataset.use_default_label=false", "YoloEvalFeed.dataset.use_default_label=false",
                       "num_classes=10", "pretrain_weights=''"]

    /// A fashion-voc set in `voc/` and the fixture copied as `yolov3_mobilenet_v1_voc.yml`.
    private func prepare(_ slim: SlimRunner) throws {
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "8", "--test", "4", "--canvas", "160"])
        XCTAssertEqual(made.status, 0, made.err)
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: slim.path("yolov3_mobilenet_v1_voc.yml"))
    }

    func testFixtureIsTheShippedFile() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        XCTAssertEqual(text.utf8.count, 1756)
        XCTAssertTrue(text.hasPrefix("architecture: YOLOv3\ntrain_feed: YoloTrainFeed\n"))
        XCTAssertTrue(text.hasSuffix("  dataset:\n    use_default_label: true\n"))
    }

    func testConfigShowTakesTheSeedOverrides() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let r = try slim.run(["config", "show", "-c", Self.fixture.path, "-o", "max_iters=258", "LearningRate.base_lr=0.0001",
                              "LearningRate.schedulers=[!PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}]",
                              "YoloTrainFeed.batch_size=64"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("max_iters: 258  # overridden by -o"), r.out)
        XCTAssertTrue(r.out.contains("base_lr: 0.0001  # overridden by -o"), r.out)
        XCTAssertTrue(r.out.contains("- !PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}"), r.out)
        XCTAssertTrue(r.out.contains("YoloTrainFeed:\n  batch_size: 64  # overridden by -o"), r.out)
        XCTAssertTrue(r.out.contains("pretrain_weights: http://"), "config show only shows the URL: " + r.out)
        let lines = r.err.split(separator: "\n")
        XCTAssertEqual(lines, ["note: known to PaddleDetection but unused by slim: use_gpu, log_smooth_window, use_fine_grained_loss, "
                               + "MobileNet.norm_decay, YOLOv3Head.norm_decay, YOLOv3Loss.batch_size, YoloTrainFeed.use_process"])
    }

    func testShippedFileTrainsSnapshotsAndEvaluatesItsWeights() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try prepare(slim)
        let r = try slim.run(["train", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + Self.tiny + ["snapshot_iter=1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("2 batches of 2, 8 train / 4 eval images"), r.out)
        XCTAssertTrue(r.out.contains("map"), r.out)
        for folder in ["1", "2", "model_final", "last"] {
            XCTAssertNotNil(slim.bytes("output/yolov3_mobilenet_v1_voc/\(folder)/__params__"), "\(folder) is saved:\n" + r.out)
        }
        // `weights: output/yolov3_mobilenet_v1_voc/model_final` is eval's default model.
        let e = try slim.run(["eval", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + Self.tiny)
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertTrue(e.out.contains("output/yolov3_mobilenet_v1_voc/model_final: map"), e.out)
    }

    func testSnapshotsFollowSnapshotIter() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try prepare(slim)
        let r = try slim.run(["train", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + Self.tiny + ["snapshot_iter=2", "max_iters=3"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertNil(slim.bytes("output/yolov3_mobilenet_v1_voc/1/__params__"))
        XCTAssertNotNil(slim.bytes("output/yolov3_mobilenet_v1_voc/2/__params__"), r.out)
        XCTAssertNil(slim.bytes("output/yolov3_mobilenet_v1_voc/3/__params__"))
        XCTAssertNotNil(slim.bytes("output/yolov3_mobilenet_v1_voc/model_final/__params__"), r.out)
    }

    func testURLWeightsAreErrorsWhenUsed() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try prepare(slim)
        let r = try slim.run(["train", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("yolov3_mobilenet_v1_voc.yml:12:19: error: pretrain_weights: slim does not download; give a local path"), r.err)
        let e = try slim.run(["eval", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + Self.tiny + ["weights=ftp://host/model.tar"])
        XCTAssertEqual(e.status, 65, e.err)
        XCTAssertTrue(e.err.contains("error: weights: slim does not download; give a local path"), e.err)
    }

    func testDefaultVOCLabelsAndClassCountMismatchesSayWhatToSet() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try prepare(slim)
        let labels = try slim.run(["train", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o", "pretrain_weights=''"])
        XCTAssertEqual(labels.status, 65, labels.err)
        XCTAssertTrue(labels.err.contains("is not one of the 20 classes"), labels.err)
        XCTAssertTrue(labels.err.contains("needs use_default_label: false"), labels.err)
        let classes = try slim.run(["train", "-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + Self.tiny + ["num_classes=20"])
        XCTAssertEqual(classes.status, 65, classes.err)
        XCTAssertTrue(classes.err.contains("error: num_classes is 20 but the YoloTrainFeed data set has 10 classes"), classes.err)
        XCTAssertTrue(classes.err.contains("note: set num_classes: 10"), classes.err)
    }

    func testUnknownKeysStayErrorsWithSuggestions() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let text = try String(contentsOf: Self.fixture, encoding: .utf8).replacingOccurrences(of: "snapshot_iter:", with: "snapshot_itr:")
        try slim.write("typo.yml", text)
        let r = try slim.run(["config", "show", "-c", "typo.yml", "-o", "YoloTrainFeed.bufsze=3", "YOLOv3Head.nms.keep_topk=3"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("typo.yml:9:1: error: unknown top-level key 'snapshot_itr'"), r.err)
        XCTAssertTrue(r.err.contains("did you mean 'snapshot_iter'?"), r.err)
        XCTAssertTrue(r.err.contains("did you mean 'bufsize'?"), r.err)
        XCTAssertTrue(r.err.contains("did you mean 'keep_top_k'?"), r.err)
    }
}
