import SlimConfig
import XCTest
@testable import SlimTrain

/// `sample_transforms` / `batch_transforms` in a reader section: PaddleDetection's tags and
/// parameter names, schema-checked, built in order; the YOLOv3 train reader normalizes boxes.
final class SampleTransformConfigTests: XCTestCase {
    private func load(_ reader: String, architecture: String = "YOLOv3") throws -> ModelConfig {
        let yaml = "architecture: \(architecture)\nTrainReader:\n  image_shape: [3, 96, 96]\n" + reader + "\n"
        let path = try makeTempDirectory(self) + "/model.yml"
        try writeFile(Array(yaml.utf8), path)
        return try ModelConfig.load(path: path)
    }

    private func pipelines(_ reader: String, architecture: String = "YOLOv3", training: Bool = true, feedClass: String? = nil) throws
        -> (sample: [any Transform], batch: [any BatchTransform], mixupEpoch: Int) {
        let config = try load(reader, architecture: architecture)
        let node = config.node("TrainReader")
        return try ReaderSpec.pipelines(node, config: config, training: training, at: NodeValues(node: node, path: "TrainReader"),
                                        feedClass: feedClass, imageShape: [3, 96, 96])
    }

    /// A feed class's section without transform lists gets the class's defaults (Resize to
    /// image_shape's side); listed transforms replace them.
    func testFeedClassDefaultsApplyWhenNoListIsGiven() throws {
        let train = try pipelines("  batch_size: 2", feedClass: "YoloTrainFeed")
        XCTAssertEqual(train.sample.count, 10)
        XCTAssertEqual((train.sample[6] as? ResizeImage)?.targetDims, [96])
        XCTAssertEqual((train.batch.first as? RandomShape)?.sizes, Array(stride(from: 320, through: 608, by: 32)))
        let eval = try pipelines("  batch_size: 2", training: false, feedClass: "YoloEvalFeed")
        XCTAssertEqual(eval.sample.map { String(describing: type(of: $0)) }, ["DecodeImage", "ResizeImage", "NormalizeImage", "Permute"])
        XCTAssertEqual((eval.sample[1] as? ResizeImage)?.interp, .code(2))
        let listed = try pipelines("  sample_transforms:\n  - !Resize {target_dim: 96}", feedClass: "YoloTrainFeed")
        XCTAssertEqual(listed.sample.count, 2, "Resize and the appended NormalizeBox")
        XCTAssertTrue(listed.batch.isEmpty)
    }

    func testPaddleDetectionTagsBuildTheirOperatorsInOrder() throws {
        let p = try pipelines("""
              mixup_epoch: 3
              sample_transforms:
              - !DecodeImage {to_rgb: true, with_mixup: true}
              - !MixupImage {alpha: 1.5, beta: 1.5}
              - !ColorDistort {}
              - !RandomExpand {fill_value: [123.675, 116.28, 103.53]}
              - !RandomCrop {thresholds: [0.5]}
              - !RandomFlipImage {is_normalized: false}
              - !Resize {target_dim: 96, interp: random}
              - !NormalizeBox {}
              - !NormalizeImage {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], is_scale: true, is_channel_first: false}
              - !Permute {to_bgr: false}
              batch_transforms:
              - !RandomShape {sizes: [64, 96]}
            """)
        let kinds = p.sample.map { String(describing: type(of: $0)) }
        XCTAssertEqual(kinds, ["DecodeImage", "MixupImage", "ColorDistort", "RandomExpand", "RandomBoxCrop", "RandomFlipImage",
                               "ResizeImage", "NormalizeBox", "NormalizeImage", "Permute"], "no ToTensor before PaddleDetection's operators")
        XCTAssertEqual((p.sample[4] as? RandomBoxCrop)?.thresholds, [0.5])
        XCTAssertEqual((p.sample[6] as? ResizeImage)?.interp, .random)
        XCTAssertEqual((p.batch.first as? RandomShape)?.sizes, [64, 96])
        XCTAssertEqual(p.mixupEpoch, 3)
        let one = try pipelines("  sample_transforms:\n  - !RandomExpand {fill_value: 7}\n  - !Resize {target_dim: [64, 96], max_size: 100}")
        XCTAssertEqual((one.sample[0] as? RandomExpand)?.fillValue, [7])
        XCTAssertEqual((one.sample[1] as? ResizeImage)?.targetDims, [64, 96])
    }

    /// A YOLOv3 train reader without NormalizeBox gets one last (its program reads normalized
    /// boxes); an eval reader and other architectures keep pixel boxes.
    func testYOLOv3TrainReaderNormalizesBoxes() throws {
        let reader = "  transforms:\n  - !Resize {size: 96}"
        XCTAssertTrue(try pipelines(reader).sample.last is NormalizeBox)
        XCTAssertFalse(try pipelines(reader, training: false).sample.contains { $0 is NormalizeBox })
        XCTAssertFalse(try pipelines(reader, architecture: "LeNet5").sample.contains { $0 is NormalizeBox })
        XCTAssertEqual(try pipelines(reader).mixupEpoch, 250, "YoloTrainFeed's mixup_epoch")
    }

    func testBadListsAreConfigErrors() throws {
        XCTAssertThrowsError(try pipelines("  sample_transforms:\n  - !Resize {target_dim: 96}\n  transforms:\n  - !Resize {size: 96}"))
        XCTAssertThrowsError(try pipelines("  sample_transforms:\n  - !Resize {target_dim: 96}\n  batch_transforms:\n  - !RandomShape {sizes: [64]}",
                                           architecture: "LeNet5")) { error in
            XCTAssertTrue("\(error)".contains("NormalizeBox"), "\(error)")
        }
        XCTAssertThrowsError(try pipelines("  sample_transforms:\n  - !Resize {target_dim: 96}\n  - !NormalizeBox {}", training: false)) { error in
            XCTAssertTrue("\(error)".contains("pixels"), "\(error)")
        }
        XCTAssertThrowsError(try pipelines("  sample_transforms:\n  - !Permute {channel_first: false}")) { error in
            XCTAssertTrue(error is ConfigError, "\(error)")
        }
        XCTAssertThrowsError(try load("  sample_transforms:\n  - !Resize {size: 96}"), "slim's Resize key under sample_transforms") { error in
            XCTAssertTrue("\(error)".contains("size"), "\(error)")
        }
        XCTAssertThrowsError(try load("  sample_transforms:\n  - !RandomFlip {}")) { error in
            XCTAssertTrue("\(error)".contains("RandomFlip"), "\(error)")
        }
    }
}
