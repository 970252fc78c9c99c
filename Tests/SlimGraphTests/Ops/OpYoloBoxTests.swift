import Foundation
import XCTest
@testable import SlimGraph
import SlimTensor

/// yolo_box against a hand-worked cell and against the numpy re-derivation in
/// bench/yolo_ops_reference.py (a non-square grid, clipping, rows under conf_thresh zeroed).
final class OpYoloBoxTests: XCTestCase {
    func op(anchors: [Int], classes: Int, conf: Double, downsample: Int = 32) -> OpDesc {
        OpDesc(type: "yolo_box", inputs: ["X": ["x"], "ImgSize": ["size"]], outputs: ["Boxes": ["boxes"], "Scores": ["scores"]],
               attrs: ["anchors": .ints(anchors), "class_num": .int(classes), "conf_thresh": .float(conf),
                       "downsample_ratio": .int(downsample)])
    }

    /// One 1x1 cell, all logits 0: σ = 0.5, so the center is half the image (32, 32), the size
    /// exp(0) * anchor * 64 / 32 = (20, 40), the score 0.5 * 0.5; σ(conf) = 0.5 passes a 0.5
    /// threshold (only below it is dropped) and fails 0.6.
    func testHandWorkedCell() throws {
        let x = Tensor(shape: [1, 6, 1, 1]), size = Tensor(shape: [1, 2], dtype: .s32, integers: [64, 64])
        let kept = try OpHarness.run(op(anchors: [10, 20], classes: 1, conf: 0.5), values: ["x": x, "size": size])
        assertClose(kept.outputs["boxes"], [22, 12, 42, 52], shape: [1, 1, 4], tol: 1e-6, "boxes")
        assertClose(kept.outputs["scores"], [0.25], shape: [1, 1, 1], tol: 1e-7, "scores")
        let dropped = try OpHarness.run(op(anchors: [10, 20], classes: 1, conf: 0.6), values: ["x": x, "size": size])
        assertClose(dropped.outputs["boxes"], [0, 0, 0, 0], tol: 0, "dropped boxes")
        assertClose(dropped.outputs["scores"], [0], tol: 0, "dropped scores")
    }

    func testAgainstNumpyReference() throws {
        // yolo_box: N 2, anchors [10, 13, 30, 61], class_num 2, H 2, W 3, downsample 32, conf_thresh 0.5,
        // ImgSize [[100, 150], [64, 80]], X.flat[i] = 3 sin(0.37 i + 0.1)
        let expectedBoxes: [Float] = [
            42.4641, 4.75431, 43.684, 85.2409, 134.047, 0, 135.284, 99,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 12.6025, 149, 19.6778, 0, 77.0015, 149, 81.9137,
            0, 87.665, 149, 92.7597, 111.56, 91.4094, 149, 99,
            12.8069, 20.1673, 13.7163, 39.9779, 63.6371, 0.407082, 64.2775, 56.7697,
            112.057, 0, 79, 63, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 40.8825, 79, 45.1922,
            0, 50.079, 79, 53.1799, 22.1183, 56.5042, 79, 59.8434,
        ]
        let expectedScores: [Float] = [
            0.039472, 0.710239, 0.0414461, 0.524563, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0.531528, 0.0290321, 0.625248, 0.0411257, 0.490821, 0.0698503, 0.26697, 0.144841,
            0.04336, 0.727226, 0.0394918, 0.699824, 0.041696, 0.501588, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0.548765, 0.029839, 0.621904, 0.042795, 0.470435, 0.0741601,
        ]
        let count = 2 * 14 * 2 * 3
        let x = Tensor(shape: [2, 14, 2, 3], floats: (0..<count).map { Float(3 * sin(0.37 * Double($0) + 0.1)) })
        let size = Tensor(shape: [2, 2], dtype: .s32, integers: [100, 150, 64, 80])
        let run = try OpHarness.run(op(anchors: [10, 13, 30, 61], classes: 2, conf: 0.5), values: ["x": x, "size": size])
        assertClose(run.outputs["boxes"], expectedBoxes, shape: [2, 12, 4], tol: 3e-6, "boxes")
        assertClose(run.outputs["scores"], expectedScores, shape: [2, 12, 2], tol: 3e-6, "scores")
    }

    func testBadShapesAndAttrsThrow() {
        let good = op(anchors: [10, 13, 30, 61], classes: 2, conf: 0.5)
        XCTAssertEqual(try YoloBoxOp.inferShapes(good, inputs: ["X": [[-1, 14, 4, 5]], "ImgSize": [[-1, 2]]])["Scores"], [[-1, 40, 2]])
        XCTAssertThrowsError(try YoloBoxOp.inferShapes(good, inputs: ["X": [[1, 13, 4, 5]], "ImgSize": [[1, 2]]]))
        XCTAssertThrowsError(try YoloBoxOp.inferShapes(good, inputs: ["X": [[1, 14, 4, 5]], "ImgSize": [[1, 3]]]))
        XCTAssertThrowsError(try YoloBoxOp.inferShapes(op(anchors: [10], classes: 2, conf: 0.5), inputs: ["X": [[1, 7, 4, 5]], "ImgSize": [[1, 2]]]))
        XCTAssertThrowsError(try YoloBoxOp.inferShapes(op(anchors: [10, 13], classes: 0, conf: 0.5), inputs: ["X": [[1, 5, 4, 5]], "ImgSize": [[1, 2]]]))
    }
}
