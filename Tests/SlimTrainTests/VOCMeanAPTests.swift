import XCTest
@testable import SlimTrain

/// `VOCMeanAP` on cases small enough to compute by hand.
final class VOCMeanAPTests: XCTestCase {
    private func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> BoundingBox {
        BoundingBox(xmin: x0, ymin: y0, xmax: x1, ymax: y1)
    }

    private func det(_ label: Int, _ score: Double, _ b: BoundingBox) -> DetectionBox {
        DetectionBox(label: label, score: score, box: b)
    }

    private func gt(_ label: Int, _ b: BoundingBox, difficult: Bool = false) -> GroundTruthBox {
        GroundTruthBox(label: label, box: b, difficult: difficult)
    }

    private func mAP(_ images: [([DetectionBox], [GroundTruthBox])], classNum: Int = 2, type: VOCMeanAP.MapType = .elevenPoint,
                     normalized: Bool = false, difficult: Bool = false) throws -> Double {
        var metric = try VOCMeanAP(classNum: classNum, mapType: type, isBBoxNormalized: normalized, evaluateDifficult: difficult)
        for (dets, gts) in images { try metric.update(detections: dets, groundTruths: gts) }
        return metric.value
    }

    private let a = BoundingBox(xmin: 10, ymin: 10, xmax: 50, ymax: 60)
    private let b = BoundingBox(xmin: 100, ymin: 80, xmax: 140, ymax: 200)
    private let far = BoundingBox(xmin: 300, ymin: 300, xmax: 320, ymax: 330)

    func testPerfectDetectionsGiveOne() throws {
        let images = [([det(0, 0.9, a), det(1, 0.8, b)], [gt(0, a), gt(1, b)]), ([det(1, 0.3, a)], [gt(1, a)])]
        for type in VOCMeanAP.MapType.allCases { XCTAssertEqual(try mAP(images, type: type), 1, accuracy: 1e-12) }
    }

    /// One ground truth; FP (0.9) ranks above the TP (0.8): P = [0, 1/2], R = [0, 1].
    /// 11point: every level j/10 is reached only at k = 2, AP = 11 * (1/2) / 11 = 0.5.
    /// integral: (1/2) * (1 - 0) = 0.5.
    func testFalsePositiveAboveTruePositive() throws {
        let images = [([det(0, 0.9, far), det(0, 0.8, a)], [gt(0, a)])]
        for type in VOCMeanAP.MapType.allCases { XCTAssertEqual(try mAP(images, classNum: 1, type: type), 0.5, accuracy: 1e-12) }
    }

    /// Two ground truths; ranked TP (0.9), duplicate of the same object (0.8, FP), TP (0.7):
    /// P = [1, 1/2, 2/3], R = [1/2, 1/2, 1].
    /// 11point: levels 0.0 ... 0.5 (6 of them) reach max P = 1, levels 0.6 ... 1.0 (5) only k = 3:
    ///   AP = (6 * 1 + 5 * 2/3) / 11 = 28/33.
    /// integral: 1 * (1/2 - 0) + (skip k = 2, no recall gain) + 2/3 * (1 - 1/2) = 5/6.
    func testElevenPointAndIntegralDifferAndDuplicateIsFalsePositive() throws {
        let images = [([det(0, 0.9, a), det(0, 0.8, box(11, 10, 50, 60)), det(0, 0.7, b)], [gt(0, a), gt(0, b)])]
        XCTAssertEqual(try mAP(images, classNum: 1, type: .elevenPoint), 28.0 / 33.0, accuracy: 1e-12)
        XCTAssertEqual(try mAP(images, classNum: 1, type: .integral), 5.0 / 6.0, accuracy: 1e-12)
    }

    /// Matching runs in the order given: the first detection of an object takes it even when a later
    /// one scores higher, which is then the duplicate. Ranked: FP (0.9), TP (0.6) -> AP 0.5.
    func testMatchingFollowsInputOrderNotScore() throws {
        let images = [([det(0, 0.6, a), det(0, 0.9, box(12, 10, 50, 60))], [gt(0, a)])]
        XCTAssertEqual(try mAP(images, classNum: 1), 0.5, accuracy: 1e-12)
    }

    /// Objects g1 (0,0)-(10,10), g2 (2,0)-(12,10); d1 (1,0)-(11,10) has IoU 110/132 with both and takes
    /// the first (unlike COCO, where the later one wins); d2 = g1 then duplicates g1: FP. Ranked TP (0.9),
    /// FP (0.8) with two positives: P = [1, 1/2], R = [1/2, 1/2] -> 11point 6/11 (1 if d1 took g2).
    func testEqualIoUTakesTheFirstGroundTruth() throws {
        let gts = [gt(0, box(0, 0, 10, 10)), gt(0, box(2, 0, 12, 10))]
        let images = [([det(0, 0.9, box(1, 0, 11, 10)), det(0, 0.8, box(0, 0, 10, 10))], gts)]
        XCTAssertEqual(try mAP(images, classNum: 1), 6.0 / 11.0, accuracy: 1e-12)
    }

    /// A detection on a difficult object (scored above the real TP) is neither TP nor FP: AP 1, not the
    /// 0.5 an FP would give. With evaluateDifficult it is a positive like any other: two positives,
    /// both found -> 1; with only the other one found: P = [1], R = [1/2] -> 11point 6/11, integral 1/2.
    func testDifficultGroundTruth() throws {
        let gts = [gt(0, a), gt(0, b, difficult: true)]
        XCTAssertEqual(try mAP([([det(0, 0.9, b), det(0, 0.8, a)], gts)], classNum: 1), 1, accuracy: 1e-12)
        XCTAssertEqual(try mAP([([det(0, 0.9, b), det(0, 0.8, a)], gts)], classNum: 1, difficult: true), 1, accuracy: 1e-12)
        XCTAssertEqual(try mAP([([det(0, 0.8, a)], gts)], classNum: 1, difficult: true), 6.0 / 11.0, accuracy: 1e-12)
        XCTAssertEqual(try mAP([([det(0, 0.8, a)], gts)], classNum: 1, type: .integral, difficult: true), 0.5, accuracy: 1e-12)
        // Without evaluateDifficult the difficult object alone: no positive, the class is skipped.
        XCTAssertEqual(try mAP([([det(0, 0.8, b)], [gt(0, b, difficult: true)])], classNum: 1), 0)
    }

    /// Class 0 perfect (AP 1), class 1 has ground truth but no detection, class 2 only a false
    /// positive and no ground truth: PaddleDetection 0.1 skips both, mAP = 1 (not (1 + 0) / 2).
    func testClassesWithoutGroundTruthOrDetectionsAreSkipped() throws {
        var metric = try VOCMeanAP(classNum: 3)
        try metric.update(detections: [det(0, 0.9, a), det(2, 0.5, far)], groundTruths: [gt(0, a), gt(1, b)])
        XCTAssertEqual(metric.positives, [1, 1, 0])
        XCTAssertEqual(metric.classAPs.count, 3)
        XCTAssertEqual(try XCTUnwrap(metric.classAPs[0]), 1, accuracy: 1e-12)
        XCTAssertNil(metric.classAPs[1])
        XCTAssertNil(metric.classAPs[2])
        XCTAssertEqual(metric.value, 1, accuracy: 1e-12)
        XCTAssertEqual(try VOCMeanAP(classNum: 3).value, 0)
    }

    /// gt (0,0)-(9,9), detection (0,0)-(9,4.2).
    /// Pixel boxes: areas 10*10 = 100 and 10*5.2 = 52, intersection 52: IoU 0.52 > 0.5, TP, AP 1.
    /// Normalized: 81 and 37.8, IoU 0.4667: FP, P = [0], AP 0.
    /// Detection (0,0)-(9,4) in pixels: IoU exactly 50/100 = 0.5, not above the threshold: FP.
    func testPixelAndNormalizedBoxes() throws {
        let g = [gt(0, box(0, 0, 9, 9))]
        XCTAssertEqual(try mAP([([det(0, 0.9, box(0, 0, 9, 4.2))], g)], classNum: 1), 1, accuracy: 1e-12)
        XCTAssertEqual(try mAP([([det(0, 0.9, box(0, 0, 9, 4.2))], g)], classNum: 1, normalized: true), 0)
        XCTAssertEqual(try mAP([([det(0, 0.9, box(0, 0, 9, 4))], g)], classNum: 1), 0)
        let metric = try VOCMeanAP(classNum: 1)
        XCTAssertEqual(metric.jaccard(box(0, 0, 9, 4), box(0, 0, 9, 9)), 0.5)
        XCTAssertEqual(metric.jaccard(box(0, 0, 9, 9), box(9, 0, 19, 9)), 0, "touching boxes are disjoint")
    }

    /// Equal scores rank in the order recorded (image order, then detection order): TP first gives
    /// P = [1, 1/2], AP 1; FP first gives P = [0, 1/2], AP 0.5.
    func testTiesKeepRecordingOrder() throws {
        let tpFirst = [([det(0, 0.5, a)], [gt(0, a)]), ([det(0, 0.5, far)], [])]
        let fpFirst = [([det(0, 0.5, far)], []), ([det(0, 0.5, a)], [gt(0, a)])]
        XCTAssertEqual(try mAP(tpFirst, classNum: 1), 1, accuracy: 1e-12)
        XCTAssertEqual(try mAP(fpFirst, classNum: 1), 0.5, accuracy: 1e-12)
    }

    func testMapTypeNamesAndInvalidInput() throws {
        XCTAssertEqual(VOCMeanAP.MapType(rawValue: "11point"), .elevenPoint)
        XCTAssertEqual(VOCMeanAP.MapType(rawValue: "integral"), .integral)
        XCTAssertNil(VOCMeanAP.MapType(rawValue: "area"))
        assertDataError(["num_classes 0"]) { _ = try VOCMeanAP(classNum: 0) }
        assertDataError(["overlap_thresh 1.5"]) { _ = try VOCMeanAP(classNum: 1, overlapThresh: 1.5) }
        var metric = try VOCMeanAP(classNum: 2)
        assertDataError(["detection 1", "label 2", "0..<2"]) {
            try metric.update(detections: [det(0, 0.9, a), det(2, 0.9, a)], groundTruths: [gt(0, a)])
        }
        assertDataError(["ground truth 0", "label -1"]) { try metric.update(detections: [], groundTruths: [gt(-1, a)]) }
        assertDataError(["non-finite"]) { try metric.update(detections: [det(0, .nan, a)], groundTruths: []) }
        XCTAssertEqual(metric.positives, [0, 0], "a rejected image records nothing")
        XCTAssertEqual(metric.value, 0)
    }
}
