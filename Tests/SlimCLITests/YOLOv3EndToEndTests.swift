import Foundation
import XCTest

/// `architecture: YOLOv3` end to end: a tiny YOLOv3-MobileNetV1 trains on a generated
/// fashion-voc set, is evaluated with VOC mAP and saved, and `slim eval` measures the saved model; unknown module keys are config errors.
final class YOLOv3EndToEndTests: XCTestCase {
    static func yaml(extra: String = "", train: String? = nil) -> String {
        let reader = """
              batch_size: 2
              image_shape: [3, 96, 96]
              dataset: {type: VOCDataSet, use_default_label: false}
              transforms:
              - !Resize {size: 96}
            """
        return """
            architecture: YOLOv3
            num_classes: 10
            max_iters: 2
            epoch: 1
            save_dir: out
            YOLOv3: {backbone: MobileNet, yolo_head: YOLOv3Head}
            MobileNet: {norm_type: sync_bn, norm_decay: 0.0, conv_group_scale: 1, with_extra_blocks: false, scale: 0.25\(extra)}
            YOLOv3Head:
              anchor_masks: [[6, 7, 8], [3, 4, 5], [0, 1, 2]]
              anchors: [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]]
              norm_decay: 0.0
            YOLOv3Loss: {batch_size: 2, ignore_thresh: 0.7, label_smooth: true}
            TrainReader:
            \(train ?? reader)
            EvalReader:
            \(reader)

            """
    }

    func testTinyYOLOv3TrainsEvaluatesAndSaves() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "8", "--test", "4", "--canvas", "160"])
        XCTAssertEqual(made.status, 0, made.err)
        try slim.write("model.yml", Self.yaml())
        let r = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue((r.out + r.err).contains("map"), r.out + r.err)
        XCTAssertNotNil(slim.bytes("out/model/last/__params__"), "the last model is saved")
        let e = try slim.run(["eval", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertTrue(e.out.contains("map"), "the saved detector is measured with VOC mAP: " + e.out)
    }

    /// PaddleDetection's YOLO train pipeline with multi-scale batches (RandomShape 64 or 96 on
    /// a 96x96 program): boxes normalized by NormalizeBox stay valid at either size.
    func testTrainsWithSampleTransformsAndRandomShape() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "8", "--test", "4", "--canvas", "160"])
        XCTAssertEqual(made.status, 0, made.err)
        let train = """
              batch_size: 2
              image_shape: [3, 96, 96]
              mixup_epoch: 1
              dataset: {type: VOCDataSet, use_default_label: false}
              sample_transforms:
              - !DecodeImage {to_rgb: true, with_mixup: true}
              - !MixupImage {alpha: 1.5, beta: 1.5}
              - !ColorDistort {}
              - !RandomExpand {fill_value: [123.675, 116.28, 103.53]}
              - !RandomCrop {}
              - !RandomFlipImage {is_normalized: false}
              - !Resize {target_dim: 96, interp: -1}
              - !NormalizeBox {}
              - !NormalizeImage {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], is_scale: true, is_channel_first: false}
              - !Permute {to_bgr: false}
              batch_transforms:
              - !RandomShape {sizes: [64, 96]}
            """
        try slim.write("model.yml", Self.yaml(train: train).replacingOccurrences(of: "max_iters: 2", with: "max_iters: 3"))
        let r = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue((r.out + r.err).contains("map"), r.out + r.err)
    }

    func testUnknownDetectionModuleKeyIsAConfigError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", Self.yaml(extra: ", widht: 2"))
        let r = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("widht"), r.err)
    }
}
