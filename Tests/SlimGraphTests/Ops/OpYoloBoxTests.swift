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
            42.464055, 4.7543068, 43.683997, 85.24092, 134.0471, 0, 135.28414, 99,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 12.602498, 149, 19.677781, 0, 77.001472, 149, 81.913688,
            0, 87.665002, 149, 92.759702, 111.5597, 91.409421, 149, 99,
            12.806866, 20.167278, 13.716268, 39.977873, 63.63706, 0.40708166, 64.277487, 56.769689,
            112.05657, 0, 79, 63, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 40.882491, 79, 45.192224,
            0, 50.078987, 79, 53.17988, 22.118266, 56.504178, 79, 59.843351,
        ]
        let expectedScores: [Float] = [
            0.03947196, 0.71023908, 0.041446105, 0.5245627, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0.53152824, 0.029032091, 0.62524754, 0.041125735, 0.49082112, 0.06985032, 0.26696982, 0.14484139,
            0.043359985, 0.72722555, 0.039491783, 0.69982391, 0.041695965, 0.50158839, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0.54876497, 0.029838995, 0.6219045, 0.04279504, 0.47043498, 0.074160064,
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
