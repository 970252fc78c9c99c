import XCTest
@testable import SlimTrain

/// The detection metrics on `DetectionFixture` (61 images, 359 detections, 174 ground truths: misses,
/// duplicates, wrong labels, difficult and crowd objects, tied scores, a class without ground truth,
/// one image over the 100-detection limit) against numbers printed by
/// `bench/detection_metrics_reference.py`: pycocotools 2.0.11 for COCO, and for VOC an independent
/// Python re-derivation of PaddleDetection 0.1's `DetectionMAP`.
final class DetectionMetricsReferenceTests: XCTestCase {
    private let images = DetectionFixture.images()

    func testFixtureMatchesTheScript() {
        XCTAssertEqual(images.count, 61)
        XCTAssertEqual(images.reduce(0) { $0 + $1.detections.count }, 359)
        XCTAssertEqual(images.reduce(0) { $0 + $1.groundTruths.count }, 174)
        let sum = images.flatMap(\.detections).reduce(0.0) { s, d in
            s + d.box.xmin + d.box.ymin + d.box.xmax + d.box.ymax + d.score
        }
        XCTAssertEqual(sum, 316811.32, accuracy: 1e-6)
    }

    private func voc(_ images: [(detections: [DetectionBox], groundTruths: [GroundTruthBox])], thresh: Double = 0.5,
                     _ mapType: VOCMeanAP.MapType, normalized: Bool = false, difficult: Bool = false) throws -> Double {
        var metric = try VOCMeanAP(classNum: 5, overlapThresh: thresh, mapType: mapType,
                                   isBBoxNormalized: normalized, evaluateDifficult: difficult)
        for image in images { try metric.update(detections: image.detections, groundTruths: image.groundTruths) }
        return metric.value
    }

    func testVOCMatchesTheReference() throws {
        XCTAssertEqual(try voc(images, .elevenPoint), 0.29255257789418243, accuracy: 1e-12)
        XCTAssertEqual(try voc(images, .integral), 0.2489427214941906, accuracy: 1e-12)
        XCTAssertEqual(try voc(images, .elevenPoint, difficult: true), 0.3122022809966452, accuracy: 1e-12)
        XCTAssertEqual(try voc(images, thresh: 0.7, .integral), 0.23590439116746603, accuracy: 1e-12)
        XCTAssertEqual(try voc(DetectionFixture.normalized(images), thresh: 0.7, .integral, normalized: true),
                       0.22520470474045184, accuracy: 1e-12)
    }

    func testCOCOMatchesPycocotools() throws {
        var metric = COCOAveragePrecision()
        for image in images { try metric.update(detections: image.detections, groundTruths: image.groundTruths) }
        let r = metric.result
        let expected = [0.18871145653713947, 0.325483472276008, 0.1930882118524682,
                        0.23489214992927865, 0.1821847963465413, 0.26645017100618984]
        let got = [r.ap, r.ap50, r.ap75, r.apSmall, r.apMedium, r.apLarge]
        for (name, (value, want)) in zip(["AP", "AP50", "AP75", "APs", "APm", "APl"], zip(got, expected)) {
            XCTAssertEqual(try XCTUnwrap(value, name), want, accuracy: 1e-12, name)
        }
    }
}
