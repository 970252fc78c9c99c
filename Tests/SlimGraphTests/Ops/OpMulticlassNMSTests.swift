import Foundation
import XCTest
@testable import SlimGraph
import SlimTensor

/// multiclass_nms against hand-worked cases and the numpy re-derivation in
/// bench/yolo_ops_reference.py (thresholds, nms_top_k, +1 pixel IoU, adaptive eta, keep_top_k,
/// background), with per-image counts in NmsRoisNum.
final class OpMulticlassNMSTests: XCTestCase {
    func op(_ attrs: [String: Attribute]) -> OpDesc {
        OpDesc(type: "multiclass_nms", inputs: ["BBoxes": ["boxes"], "Scores": ["scores"]], outputs: ["Out": ["out"], "NmsRoisNum": ["count"]],
               attrs: attrs)
    }

    func attrs(score: Double, nmsTopK: Int, keepTopK: Int, iou: Double, normalized: Bool, eta: Double, background: Int) -> [String: Attribute] {
        ["score_threshold": .float(score), "nms_top_k": .int(nmsTopK), "keep_top_k": .int(keepTopK), "nms_threshold": .float(iou),
         "normalized": .bool(normalized), "nms_eta": .float(eta), "background_label": .int(background)]
    }

    func counts(_ run: OpRun) throws -> [Int] {
        try XCTUnwrap(run.outputs["count"]).withUnsafeElements(as: Int32.self) { $0.map(Int.init) }
    }

    /// Three pixel boxes, one class (background -1): box 1 overlaps box 0 with IoU
    /// (10*11) / (11*11 + 11*11 - 110) = 110/132 = 0.83 and is suppressed at 0.5; box 2 is apart;
    /// a box scoring at the threshold is dropped (only scores above it count). With +1 pixel off
    /// (normalized) the IoU is 90/110 = 0.82, still suppressed; at threshold 0.9 both stay.
    func testHandWorkedSuppression() throws {
        let boxes = Tensor(shape: [1, 4, 4], floats: [0, 0, 10, 10, 1, 0, 11, 10, 20, 20, 30, 30, 40, 40, 50, 50])
        let scores = Tensor(shape: [1, 1, 4], floats: [0.9, 0.8, 0.7, 0.1])
        let values = ["boxes": boxes, "scores": scores]
        let pixel = try OpHarness.run(op(attrs(score: 0.1, nmsTopK: -1, keepTopK: -1, iou: 0.5, normalized: false, eta: 1, background: -1)),
                                      values: values)
        assertClose(pixel.outputs["out"], [0, 0.9, 0, 0, 10, 10, 0, 0.7, 20, 20, 30, 30], shape: [2, 6], tol: 1e-7, "pixel boxes")
        XCTAssertEqual(try counts(pixel), [2])
        let loose = try OpHarness.run(op(attrs(score: 0.1, nmsTopK: -1, keepTopK: -1, iou: 0.9, normalized: true, eta: 1, background: -1)),
                                      values: values)
        XCTAssertEqual(try XCTUnwrap(loose.outputs["out"]).shape, [3, 6])
        let top2 = try OpHarness.run(op(attrs(score: 0.1, nmsTopK: -1, keepTopK: 1, iou: 0.9, normalized: true, eta: 1, background: -1)),
                                     values: values)
        assertClose(top2.outputs["out"], [0, 0.9, 0, 0, 10, 10], shape: [1, 6], tol: 1e-7, "keep_top_k 1")
    }

    /// Nothing above the threshold: Out is [0, 6] and every count 0.
    func testNoDetections() throws {
        let boxes = Tensor(shape: [2, 1, 4], floats: [0, 0, 1, 1, 0, 0, 1, 1]), scores = Tensor(shape: [2, 2, 1], floats: [0.1, 0.2, 0.3, 0.4])
        let run = try OpHarness.run(op(attrs(score: 0.5, nmsTopK: 10, keepTopK: 10, iou: 0.5, normalized: true, eta: 1, background: 0)),
                                    values: ["boxes": boxes, "scores": scores])
        XCTAssertEqual(try XCTUnwrap(run.outputs["out"]).shape, [0, 6])
        XCTAssertEqual(try counts(run), [0, 0])
    }

    func testAgainstNumpyReference() throws {
        // multiclass_nms case A: {'score_threshold': 0.3, 'nms_top_k': 5, 'keep_top_k': 7, 'nms_threshold': 0.5, 'normalized': False, 'eta': 1.0, 'background': 0}
        let expectedCountsA = [7, 7]
        let expectedOutA: [Float] = [
            1, 0.95464873, 15.228163, 18.146322, 34.407417, 29.5021,
            1, 0.95108593, 11.523569, 16.59857, 20.198166, 31.157089,
            1, 0.94560367, 13, 16.5, 27, 33.5,
            2, 0.98395985, 17.891848, 13.33436, 32.093586, 21.763031,
            2, 0.90424818, 13, 16.5, 27, 33.5,
            2, 0.89924353, 12.058251, 12.967386, 31.132732, 28.897738,
            2, 0.70242494, 16.714687, 10.822746, 25.436512, 19.812687,
            1, 0.99408412, 7.3374062, 15.716475, 26.411888, 32.440777,
            1, 0.99272484, 17.207355, 10.56851, 31.207355, 25.270021,
            1, 0.87285262, 14.138898, 11.73982, 33.318153, 19.21946,
            1, 0.86719853, 11.066058, 16.372511, 19.740656, 26.140087,
            2, 0.99947065, 15.823717, 18.475199, 30.025455, 31.490223,
            2, 0.8284933, 20.329086, 20.03628, 29.050913, 27.050419,
            2, 0.79923606, 17.207355, 10.56851, 31.207355, 25.270021,
        ]
        // multiclass_nms case B: {'score_threshold': 0.1, 'nms_top_k': -1, 'keep_top_k': -1, 'nms_threshold': 0.7, 'normalized': True, 'eta': 0.8, 'background': -1}
        let expectedCountsB = [23, 22]
        let expectedOutB: [Float] = [
            0, 0.98692381, 18.192234, 17.26683, 26.96278, 24.43284,
            0, 0.98494488, 9.0388136, 21.294121, 23.341351, 28.704466,
            0, 0.89683396, 11.523569, 16.59857, 20.198166, 31.157089,
            0, 0.89166343, 15.228163, 18.146322, 34.407417, 29.5021,
            0, 0.71368992, 9.5107279, 10.530825, 23.61161, 24.420713,
            0, 0.5, 13, 16.5, 27, 33.5,
            0, 0.11361776, 17.891848, 13.33436, 32.093586, 21.763031,
            1, 0.95464873, 15.228163, 18.146322, 34.407417, 29.5021,
            1, 0.95108593, 11.523569, 16.59857, 20.198166, 31.157089,
            1, 0.94560367, 13, 16.5, 27, 33.5,
            1, 0.61962467, 18.192234, 17.26683, 26.96278, 24.43284,
            1, 0.61144495, 9.0388136, 21.294121, 23.341351, 28.704466,
            1, 0.60755998, 17.891848, 13.33436, 32.093586, 21.763031,
            1, 0.19407105, 9.5107279, 10.530825, 23.61161, 24.420713,
            1, 0.18436669, 16.714687, 10.822746, 25.436512, 19.812687,
            2, 0.98395985, 17.891848, 13.33436, 32.093586, 21.763031,
            2, 0.90424818, 13, 16.5, 27, 33.5,
            2, 0.70242494, 16.714687, 10.822746, 25.436512, 19.812687,
            2, 0.52079034, 15.228163, 18.146322, 34.407417, 29.5021,
            2, 0.51238769, 11.523569, 16.59857, 20.198166, 31.157089,
            2, 0.26769891, 6.01893, 7.1153946, 25.146523, 23.462381,
            2, 0.12159875, 18.192234, 17.26683, 26.96278, 24.43284,
            2, 0.11615709, 9.0388136, 21.294121, 23.341351, 28.704466,
            0, 0.96899998, 11.066058, 16.372511, 19.740656, 26.140087,
            0, 0.96601957, 14.138898, 11.73982, 33.318153, 19.21946,
            0, 0.93160468, 13.402125, 9.9343414, 22.17267, 20.397676,
            0, 0.92729944, 13.514893, 13.91763, 27.817429, 21.7686,
            0, 0.65577066, 7.3374062, 15.716475, 26.411888, 32.440777,
            0, 0.64776009, 17.207355, 10.56851, 31.207355, 25.270021,
            0, 0.57055998, 8.0372953, 8.6677094, 22.138178, 25.584051,
            0, 0.22465722, 15.823717, 18.475199, 30.025455, 31.490223,
            1, 0.99408412, 7.3374062, 15.716475, 26.411888, 32.440777,
            1, 0.99272484, 17.207355, 10.56851, 31.207355, 25.270021,
            1, 0.87285262, 14.138898, 11.73982, 33.318153, 19.21946,
            1, 0.86719853, 11.066058, 16.372511, 19.740656, 26.140087,
            1, 0.74705666, 15.823717, 18.475199, 30.025455, 31.490223,
            1, 0.47081292, 13.402125, 9.9343414, 22.17267, 20.397676,
            1, 0.46242443, 13.514893, 13.91763, 27.817429, 21.7686,
            1, 0.31306165, 20.329086, 20.03628, 29.050913, 27.050419,
            2, 0.99947065, 15.823717, 18.475199, 30.025455, 31.490223,
            2, 0.8284933, 20.329086, 20.03628, 29.050913, 27.050419,
            2, 0.79923606, 17.207355, 10.56851, 31.207355, 25.270021,
            2, 0.79245859, 7.3374062, 15.716475, 26.411888, 32.440777,
            2, 0.37222946, 14.138898, 11.73982, 33.318153, 19.21946,
            2, 0.36411968, 11.066058, 16.372511, 19.740656, 26.140087,
        ]
        var boxes: [Float] = [], scores: [Float] = []
        for b in 0..<2 {
            for j in 0..<10 {
                let (jd, bd) = (Double(j), Double(b))
                let cx = 20 + 5 * sin(1.3 * jd + bd), cy = 20 + 5 * cos(0.7 * jd + 2 * bd)
                let w = 14 + 6 * sin(2.1 * jd), h = 12 + 5 * cos(1.7 * jd + bd)
                boxes += [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map { Float($0) }
            }
            for c in 0..<3 { scores += (0..<10).map { Float(0.5 + 0.5 * sin(0.9 * Double($0) + 1.1 * Double(c) + 0.3 * Double(b))) } }
        }
        let values = ["boxes": Tensor(shape: [2, 10, 4], floats: boxes), "scores": Tensor(shape: [2, 3, 10], floats: scores)]
        let a = try OpHarness.run(op(attrs(score: 0.3, nmsTopK: 5, keepTopK: 7, iou: 0.5, normalized: false, eta: 1, background: 0)), values: values)
        assertClose(a.outputs["out"], expectedOutA, shape: [expectedOutA.count / 6, 6], tol: 1e-6, "case A")
        XCTAssertEqual(try counts(a), expectedCountsA)
        let b = try OpHarness.run(op(attrs(score: 0.1, nmsTopK: -1, keepTopK: -1, iou: 0.7, normalized: true, eta: 0.8, background: -1)), values: values)
        assertClose(b.outputs["out"], expectedOutB, shape: [expectedOutB.count / 6, 6], tol: 1e-6, "case B")
        XCTAssertEqual(try counts(b), expectedCountsB)
    }

    func testMissingAttrsAndBadShapesThrow() {
        let full = attrs(score: 0.1, nmsTopK: 5, keepTopK: 5, iou: 0.5, normalized: true, eta: 1, background: 0)
        XCTAssertEqual(try MulticlassNMSOp.inferShapes(op(full), inputs: ["BBoxes": [[-1, 7, 4]], "Scores": [[-1, 3, 7]]])["NmsRoisNum"], [[-1]])
        XCTAssertThrowsError(try MulticlassNMSOp.inferShapes(op(full), inputs: ["BBoxes": [[1, 7, 4]], "Scores": [[1, 3, 6]]]))
        XCTAssertThrowsError(try MulticlassNMSOp.inferShapes(op(full), inputs: ["BBoxes": [[1, 7, 8]], "Scores": [[1, 3, 7]]]))
        XCTAssertThrowsError(try MulticlassNMSOp.inferShapes(op(full.filter { $0.key != "keep_top_k" }),
                                                             inputs: ["BBoxes": [[1, 7, 4]], "Scores": [[1, 3, 7]]]))
    }
}
