import XCTest
@testable import SlimTrain

/// `COCOAveragePrecision` on cases small enough to compute by hand.
final class COCOAveragePrecisionTests: XCTestCase {
    private func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> BoundingBox {
        BoundingBox(xmin: x0, ymin: y0, xmax: x1, ymax: y1)
    }

    private func det(_ label: Int, _ score: Double, _ b: BoundingBox) -> DetectionBox {
        DetectionBox(label: label, score: score, box: b)
    }

    private func result(_ images: [([DetectionBox], [GroundTruthBox])], maxDetections: Int = 100) throws -> COCOResult {
        var metric = COCOAveragePrecision(maxDetections: maxDetections)
        for (dets, gts) in images { try metric.update(detections: dets, groundTruths: gts) }
        return metric.result
    }

    private let a = BoundingBox(xmin: 10, ymin: 10, xmax: 50, ymax: 60)      // area 2000: medium
    private let b = BoundingBox(xmin: 100, ymin: 80, xmax: 140, ymax: 200)   // area 4800: medium
    private let far = BoundingBox(xmin: 300, ymin: 300, xmax: 320, ymax: 330)

    func testThresholdsAreNumpyLinspace() {
        XCTAssertEqual(COCOAveragePrecision.iouThresholds.count, 10)
        XCTAssertEqual(COCOAveragePrecision.iouThresholds[0], 0.5)
        XCTAssertEqual(COCOAveragePrecision.iouThresholds[5], 0.75)
        XCTAssertEqual(COCOAveragePrecision.iouThresholds[8], 0.8999999999999999)
        XCTAssertEqual(COCOAveragePrecision.iouThresholds[9], 0.95)
        XCTAssertEqual(COCOAveragePrecision.recallThresholds.count, 101)
        XCTAssertEqual(COCOAveragePrecision.recallThresholds[57], 0.5700000000000001)
        XCTAssertEqual(COCOAveragePrecision.recallThresholds[100], 1)
        // Recall 57/100 = 0.57 is below the level 0.5700000000000001: only levels 0 ... 0.56 are reached.
        XCTAssertEqual(COCOAveragePrecision.interpolated(precision: [1], recall: [57.0 / 100]).reduce(0, +), 57)
    }

    func testPerfectDetections() throws {
        let r = try result([([det(0, 0.9, a), det(1, 0.8, b)], [GroundTruthBox(label: 0, box: a), GroundTruthBox(label: 1, box: b)])])
        XCTAssertEqual(try XCTUnwrap(r.ap), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.ap50), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.ap75), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.apMedium), 1, accuracy: 1e-12)
        XCTAssertNil(r.apSmall)
        XCTAssertNil(r.apLarge)
    }

    /// IoU 7200 / 10000 = 0.72 (no pixel added): a TP at thresholds 0.50 ... 0.70 (5 of 10), an FP
    /// above. AP = 5/10, AP50 = 1, AP75 = 0.
    func testIoUThresholds() throws {
        let r = try result([([det(0, 0.9, box(0, 0, 100, 72))], [GroundTruthBox(label: 0, box: box(0, 0, 100, 100))])])
        XCTAssertEqual(try XCTUnwrap(r.ap), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.ap50), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.ap75), 0, accuracy: 1e-12)
    }

    /// Two objects; ranked TP (0.9), duplicate of the first (0.8, FP at every threshold), TP (0.7):
    /// R = [1/2, 1/2, 1], P = [1, 1/2, 2/3], envelope [1, 2/3, 2/3]. Levels 0 ... 0.50 (51) first
    /// reach R at rank 1 -> 1; levels 0.51 ... 1 (50) at rank 3 -> 2/3. AP = (51 + 50 * 2/3) / 101
    /// = 253/303 (VOC on the same ranking: 11point 28/33, integral 5/6).
    func testHundredOnePointInterpolationAndDuplicate() throws {
        let gts = [GroundTruthBox(label: 0, box: a), GroundTruthBox(label: 0, box: b)]
        let r = try result([([det(0, 0.9, a), det(0, 0.8, box(11, 10, 50, 60)), det(0, 0.7, b)], gts)])
        XCTAssertEqual(try XCTUnwrap(r.ap), 253.0 / 303.0, accuracy: 1e-12)
        // One FP (0.9) above the only TP (0.8): P = [0, 1/2], envelope 1/2 everywhere.
        let fpFirst = try result([([det(0, 0.9, far), det(0, 0.8, a)], [GroundTruthBox(label: 0, box: a)])])
        XCTAssertEqual(try XCTUnwrap(fpFirst.ap), 0.5, accuracy: 1e-12)
    }

    /// Detections inside a crowd region (IoU = intersection / detection area = 1) are ignored, however
    /// many: AP 1. Were the region a regular object, they would be FPs above the TP with two positives:
    /// R = [0, 0, 1/2], P = [0, 0, 1/3] -> levels 0 ... 0.5 give 1/3: AP = 51 / 3 / 101 = 17/101.
    func testCrowdRegions() throws {
        let region = box(200, 200, 400, 400)
        let dets = [det(0, 0.95, box(210, 210, 250, 250)), det(0, 0.9, box(300, 300, 350, 340)), det(0, 0.8, a)]
        let crowd = try result([(dets, [GroundTruthBox(label: 0, box: a), GroundTruthBox(label: 0, box: region, isCrowd: true)])])
        XCTAssertEqual(try XCTUnwrap(crowd.ap), 1, accuracy: 1e-12)
        let regular = try result([(dets, [GroundTruthBox(label: 0, box: a), GroundTruthBox(label: 0, box: region)])])
        XCTAssertEqual(try XCTUnwrap(regular.ap), 17.0 / 101.0, accuracy: 1e-12)
        XCTAssertEqual(COCOImageEvaluation.iou(box(210, 210, 250, 250), region, crowd: true), 1)
        XCTAssertEqual(COCOImageEvaluation.iou(box(210, 210, 250, 250), region, crowd: false), 1600.0 / 40000.0)
    }

    /// Category 0: small object (20 x 20) found, below a large FP (100 x 100) scoring higher.
    /// Category 1: large object, no detection (AP 0). Category 2: only an FP (no ground truth: left out).
    /// AP = (1/2 + 0) / 2. APs: only category 0, where the large unmatched FP is outside the range and
    /// ignored -> 1. APl: only category 1 (category 0 has no large object) -> 0. APm: no object -> nil.
    func testCategoriesAndAreaRanges() throws {
        let small = box(0, 0, 20, 20), large = box(500, 500, 600, 600)
        let dets = [det(0, 0.99, box(700, 700, 800, 800)), det(0, 0.5, small), det(2, 0.9, far)]
        let r = try result([(dets, [GroundTruthBox(label: 0, box: small), GroundTruthBox(label: 1, box: large)])])
        XCTAssertEqual(try XCTUnwrap(r.ap), 0.25, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.apSmall), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.apLarge), 0, accuracy: 1e-12)
        XCTAssertNil(r.apMedium)
        // An explicit area decides the range instead of the box: the small box counted as medium.
        let medium = try result([([det(0, 0.5, small)], [GroundTruthBox(label: 0, box: small, area: 2000)])])
        XCTAssertNil(medium.apSmall)
        XCTAssertEqual(try XCTUnwrap(medium.apMedium), 1, accuracy: 1e-12)
    }

    /// Objects g1 (0,0)-(10,10) and g2 (2,0)-(12,10); d1 (1,0)-(11,10) at 0.9 has IoU 90/110 = 0.818
    /// with both, d2 = g1 at 0.8 has IoU 1 with g1 and 80/120 = 0.667 with g2. On equal IoU the later
    /// object wins: d1 takes g2, d2 takes g1, two TPs at t = 0.50 ... 0.80 (7 thresholds, AP 1 each).
    /// At 0.85 ... 0.95 d1 is an FP above d2: P = [0, 1/2], R = [0, 1/2] -> 51 levels at 1/2 = 25.5/101.
    /// AP = (7 + 3 * 25.5/101) / 10, AP75 = 1 (pycocotools 2.0.11 prints 0.77574257 and 1). Taking the
    /// first object on equal IoU would leave d2 only g2, too weak at 0.70 ... 0.80.
    func testEqualIoUTakesTheLaterGroundTruth() throws {
        let gts = [GroundTruthBox(label: 0, box: box(0, 0, 10, 10)), GroundTruthBox(label: 0, box: box(2, 0, 12, 10))]
        let r = try result([([det(0, 0.9, box(1, 0, 11, 10)), det(0, 0.8, box(0, 0, 10, 10))], gts)])
        XCTAssertEqual(try XCTUnwrap(r.ap), (7 + 3 * 25.5 / 101) / 10, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.ap75), 1, accuracy: 1e-12)
    }

    /// Ranked FP (0.9), FP (0.8), TP (0.7): P = [0, 0, 1/3] -> AP 1/3; with 2 detections kept per image
    /// the TP is dropped -> AP 0.
    func testMaxDetections() throws {
        let image = ([det(0, 0.7, a), det(0, 0.9, far), det(0, 0.8, b)], [GroundTruthBox(label: 0, box: a)])
        XCTAssertEqual(try XCTUnwrap(try result([image]).ap), 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(try result([image], maxDetections: 2).ap), 0, accuracy: 1e-12)
    }

    /// Equal scores rank in image order: TP first gives AP 1, FP first AP 0.5.
    func testTiesKeepImageOrder() throws {
        let hit = ([det(0, 0.5, a)], [GroundTruthBox(label: 0, box: a)]), miss = ([det(0, 0.5, far)], [GroundTruthBox]())
        XCTAssertEqual(try XCTUnwrap(try result([hit, miss]).ap), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(try result([miss, hit]).ap), 0.5, accuracy: 1e-12)
    }

    func testEmptyInvalidAndDescription() throws {
        var metric = COCOAveragePrecision()
        XCTAssertEqual(metric.result, COCOResult(ap: nil, ap50: nil, ap75: nil, apSmall: nil, apMedium: nil, apLarge: nil))
        assertDataError(["ground truth 0", "non-finite"]) {
            try metric.update(detections: [det(0, 0.9, a)], groundTruths: [GroundTruthBox(label: 0, box: box(0, 0, .infinity, 1))])
        }
        XCTAssertNil(metric.result.ap, "a rejected image records nothing")
        let r = COCOResult(ap: 0.5, ap50: 1, ap75: 0.25, apSmall: nil, apMedium: 0.125, apLarge: 0)
        XCTAssertEqual(r.description, "AP 0.5000  AP50 1.0000  AP75 0.2500  APs n/a  APm 0.1250  APl 0.0000")
    }
}
