import SlimTensor
import XCTest
@testable import SlimTrain

/// Two 1x10x20 images; image 0 has one object `(2, 2, 12, 8)` class 1, image 1 two: `(0, 0, 10, 10)`
/// class 0 and `(10, 0, 20, 10)` class 1 (difficult).
private struct TwoImages: Dataset {
    var count: Int { 2 }
    var imageShape: [Int] { [1, 10, 20] }
    var classNames: [String]? { nil }
    var annotatesBoxes: Bool { true }

    func sample(_ i: Int) throws -> Sample {
        let a = i == 0
            ? BoxAnnotations(boxes: [BoundingBox(xmin: 2, ymin: 2, xmax: 12, ymax: 8)], labels: [1])
            : BoxAnnotations(boxes: [BoundingBox(xmin: 0, ymin: 0, xmax: 10, ymax: 10), BoundingBox(xmin: 10, ymin: 0, xmax: 20, ymax: 10)],
                             labels: [0, 1], difficult: [false, true])
        return Sample(pixels: .floats([Float](repeating: 0, count: 200)), label: 0, annotations: a, imageID: i)
    }
}

final class DetectionMetricTests: XCTestCase {
    /// The batch is resized to 5x5, so the metric must map the ground truth back to 10x20 pixels.
    private func batch() throws -> Batch {
        try DataLoader(dataset: TwoImages(), batchSize: 2, shuffle: false, transforms: [try Resize(size: ImageSize(5))]).next()
    }

    private func nms(_ rows: [[Float]]) -> Tensor { Tensor(shape: [rows.count, 6], floats: rows.flatMap { $0 }) }

    func testPerfectDetectionsScoreOne() throws {
        let rows: [[Float]] = [[1, 0.9, 2, 2, 12, 8], [0, 0.8, 0, 0, 10, 10]]
        let outputs = ["nms": nms(rows), "nms.count": Tensor(shape: [2], dtype: .s32, integers: [1, 1])]
        var voc = DetectionMetric(.voc(try VOCMeanAP(classNum: 2)), output: "nms", counts: "nms.count")
        XCTAssertEqual(voc.fetches, ["nms", "nms.count"])
        try voc.update(batch: try batch(), outputs: outputs)
        XCTAssertEqual(voc.accumulate().primaryName, "map")
        XCTAssertEqual(voc.accumulate().primary, 1, accuracy: 1e-9)
        XCTAssertEqual(voc.accumulate().samples, 2)
        var coco = DetectionMetric(.coco(COCOAveragePrecision()), output: "nms", counts: "nms.count")
        try coco.update(batch: try batch(), outputs: outputs)
        // The difficult box is an unmatched class-1 ground truth for COCO: class 1 reaches recall 1/2.
        XCTAssertEqual(coco.accumulate().primaryName, "AP")
        XCTAssertEqual(coco.accumulate()["AP50"] ?? 0, (1 + 0.5049504950495) / 2, accuracy: 1e-6)
        coco.reset()
        XCTAssertEqual(coco.accumulate().samples, 0)
    }

    /// A detection on the wrong place is a false positive: half the classes at AP 0.
    func testMisplacedDetection() throws {
        let rows: [[Float]] = [[1, 0.9, 2, 2, 12, 8], [0, 0.8, 10, 0, 20, 10]]
        var voc = DetectionMetric(.voc(try VOCMeanAP(classNum: 2)), output: "nms", counts: "c")
        try voc.update(batch: try batch(), outputs: ["nms": nms(rows), "c": Tensor(shape: [2], dtype: .s32, integers: [1, 1])])
        XCTAssertEqual(voc.accumulate().primary, 0.5, accuracy: 1e-9)
    }

    /// Paddle's empty output skips the batch; malformed outputs and counts are errors.
    func testEmptyAndMalformedOutputs() throws {
        var voc = DetectionMetric(.voc(try VOCMeanAP(classNum: 2)), output: "nms", counts: "c")
        try voc.update(batch: try batch(), outputs: ["nms": Tensor(shape: [1, 1], floats: [-1]), "c": Tensor(shape: [2], dtype: .s32)])
        XCTAssertEqual(voc.accumulate().primary, 0)
        XCTAssertThrowsError(try voc.update(batch: try batch(), outputs: ["nms": Tensor(shape: [2, 5]), "c": Tensor(shape: [2], dtype: .s32)]))
        XCTAssertThrowsError(try voc.update(batch: try batch(), outputs: ["nms": nms([[0, 1, 0, 0, 1, 1]]),
                                                                          "c": Tensor(shape: [2], dtype: .s32, integers: [1, 1])]))
        var single = DetectionMetric(.voc(try VOCMeanAP(classNum: 2)), output: "nms")
        XCTAssertThrowsError(try single.update(batch: try batch(), outputs: ["nms": nms([[0, 1, 0, 0, 1, 1]])]), "two images need counts")
    }
}
