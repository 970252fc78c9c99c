import Foundation
import XCTest

/// Detection data sets end to end: `slim dataset fashion-voc` writes one, and a classifier given
/// it is a data error (its samples have boxes, not one class label), never a silent training on
/// labels that are all 0.
final class DetectionDataEndToEndTests: XCTestCase {
    func testAClassifierOnADetectionDataSetIsADataError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "4", "--test", "2", "--canvas", "160"])
        XCTAssertEqual(made.status, 0, made.err)
        let reader = """
              batch_size: 2
              image_shape: [3, 32, 32]
              dataset: {type: VOCDataSet, use_default_label: false}
              transforms:
              - !Resize {size: 32}
            """
        try slim.write("model.yml", """
            architecture: MobileNetV1
            num_classes: 10
            max_iters: 1
            epoch: 1
            save_dir: out
            MobileNetV1: {scale: 0.25}
            TrainReader:
            \(reader)
            EvalReader:
            \(reader)

            """)
        let r = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("a classifier needs one class label per image"), r.err)
        XCTAssertNil(slim.bytes("out/model/last/__params__"), "nothing trained")
    }
}
