import XCTest
@testable import SlimGraph
import SlimTensor

/// yolov3_loss against hand-worked heads (location, label smoothing, mixup scores, the ignore
/// mask, gts matched to anchors outside the mask, unused gt rows) and finite differences.
final class OpYolov3LossTests: XCTestCase {
    func op(anchors: [Int], mask: [Int], classes: Int, ignore: Double, downsample: Int, smooth: Bool, score: Bool = false) -> OpDesc {
        var inputs = ["X": ["x"], "GTBox": ["box"], "GTLabel": ["label"]]
        if score { inputs["GTScore"] = ["score"] }
        return OpDesc(type: "yolov3_loss", inputs: inputs,
                      outputs: ["Loss": ["loss"], "ObjectnessMask": ["obj"], "GTMatchMask": ["match"]],
                      attrs: ["anchors": .ints(anchors), "anchor_mask": .ints(mask), "class_num": .int(classes),
                              "ignore_thresh": .float(ignore), "downsample_ratio": .int(downsample), "use_label_smooth": .bool(smooth)])
    }

    /// One 1x1 cell, anchor (16, 8), S = 32, logits tx 1, ty -1, tw 0.2, th -0.3, conf 0.5, cls
    /// (2, -1); gt (0.3, 0.6, 0.5, 0.25) label 0, plus an unused row (w 0) with a bogus label.
    /// Offsets: tx 0.3, ty 0.6, tw = log(0.5 * 32 / 16) = 0, th = log(0.25 * 32 / 8) = 0; scale
    /// 2 - 0.125 = 1.875; location = 1.875 (SCE(1, .3) + SCE(-1, .6) + 0.2 + 0.3) = 4.5497313;
    /// objectness SCE(0.5, 1) = 0.4740770; classes SCE(2, .5) + SCE(-1, .5) = 1.9401897 with
    /// smoothing (1/C = 0.5), SCE(2, 1) + SCE(-1, 0) = 0.4401897 without; GTScore 0.5 halves all.
    func testHandWorkedSingleCell() throws {
        let x = Tensor(shape: [1, 7, 1, 1], floats: [1, -1, 0.2, -0.3, 0.5, 2, -1])
        let box = Tensor(shape: [1, 2, 4], floats: [0.3, 0.6, 0.5, 0.25, 0.5, 0.5, 0, 0])
        let label = Tensor(shape: [1, 2], dtype: .s32, integers: [0, 99])
        let values = ["x": x, "box": box, "label": label]
        let smooth = try OpHarness.run(op(anchors: [16, 8], mask: [0], classes: 2, ignore: 0.7, downsample: 32, smooth: true), values: values)
        assertClose(smooth.outputs["loss"], [6.963998], shape: [1], tol: 1e-6, "label smoothing")
        XCTAssertEqual(try XCTUnwrap(smooth.outputs["match"]).withUnsafeElements(as: Int32.self) { Array($0) }, [0, -1])
        let plain = try OpHarness.run(op(anchors: [16, 8], mask: [0], classes: 2, ignore: 0.7, downsample: 32, smooth: false), values: values)
        assertClose(plain.outputs["loss"], [5.463998], tol: 1e-6, "no smoothing")
        let mixed = try OpHarness.run(op(anchors: [16, 8], mask: [0], classes: 2, ignore: 0.7, downsample: 32, smooth: true, score: true),
                                      values: values.merging(["score": Tensor(shape: [1, 2], floats: [0.5, 1])]) { a, _ in a })
        assertClose(mixed.outputs["loss"], [3.481999], tol: 1e-6, "GTScore 0.5")
    }

    /// A 2x2 head, anchors (8, 8) and (32, 32) with only the second masked, S = 32, all logits 0:
    /// each prediction is a 1x1 box at its cell's center. gt A (0.25, 0.25, 0.9, 0.9) prefers the
    /// big anchor (IoU 0.81) and is positive in cell 0; gt B (0.75, 0.75, 0.2, 0.2) prefers the
    /// small unmasked one (0.64 vs 0.04): no slot. Predictions of cells 1 and 2 overlap A with IoU
    /// 0.405 / 1.405 = 0.288, cell 3 at most 0.126: ignored at threshold 0.25, not at 0.7.
    /// Loss: location 1.19 (2 ln 2 + 2 |log 0.9|) = 1.9004483, class ln 2, objectness ln 2 per
    /// counted cell (2 or 4).
    func testIgnoreMaskAndUnmaskedAnchor() throws {
        let box = Tensor(shape: [1, 2, 4], floats: [0.25, 0.25, 0.9, 0.9, 0.75, 0.75, 0.2, 0.2])
        let values = ["x": Tensor(shape: [1, 6, 2, 2]), "box": box, "label": Tensor(shape: [1, 2], dtype: .s32, integers: [0, 0])]
        let ln2 = Float(0.6931472)
        for (ignore, counted, mask) in [(0.25, Float(2), [Float(1), -1, -1, 0]), (0.7, 4, [1, 0, 0, 0])] {
            let run = try OpHarness.run(op(anchors: [8, 8, 32, 32], mask: [1], classes: 1, ignore: ignore, downsample: 16, smooth: false),
                                        values: values)
            assertClose(run.outputs["loss"], [1.9004483 + ln2 + counted * ln2], tol: 1e-6, "loss, ignore_thresh \(ignore)")
            assertClose(run.outputs["obj"], mask, shape: [1, 1, 2, 2], tol: 0, "ObjectnessMask, ignore_thresh \(ignore)")
            XCTAssertEqual(try XCTUnwrap(run.outputs["match"]).withUnsafeElements(as: Int32.self) { Array($0) }, [0, -1])
        }
    }

    /// Backward scales each image's gradient by its own dLoss.
    func testBackwardScalesPerImage() throws {
        let s = try GradientCheckTests.yolov3LossSketch()
        let values = ["x": try XCTUnwrap(s.scope["x"]), "box": try XCTUnwrap(s.scope["gt.box"]), "label": try XCTUnwrap(s.scope["gt.label"])]
        let o = op(anchors: [10, 14, 23, 27, 37, 58], mask: [1, 2], classes: 3, ignore: 0.5, downsample: 8, smooth: true)
        let unit = try OpHarness.run(o, values: values, upstream: ["loss": Tensor(shape: [2], floats: [1, 1])])
        let weighted = try OpHarness.run(o, values: values, upstream: ["loss": Tensor(shape: [2], floats: [2, -0.5])])
        let g = try XCTUnwrap(unit.grads["x"]).floats, half = g.count / 2
        assertClose(weighted.grads["x"], g[..<half].map { 2 * $0 } + g[half...].map { -0.5 * $0 }, tol: 1e-6, "per-image scale")
        XCTAssertGreaterThan(g.map(abs).max() ?? 0, 0.01)
    }

    func testBadInputsThrow() {
        let o = op(anchors: [10, 14, 23, 27], mask: [1], classes: 3, ignore: 0.5, downsample: 8, smooth: true)
        let good: [String: [[Int]]] = ["X": [[-1, 8, 3, 3]], "GTBox": [[-1, 5, 4]], "GTLabel": [[-1, 5]]]
        XCTAssertEqual(try Yolov3LossOp.inferShapes(o, inputs: good)["Loss"], [[-1]])
        XCTAssertThrowsError(try Yolov3LossOp.inferShapes(o, inputs: good.merging(["X": [[-1, 9, 3, 3]]]) { _, b in b }))
        XCTAssertThrowsError(try Yolov3LossOp.inferShapes(o, inputs: good.merging(["GTLabel": [[-1, 4]]]) { _, b in b }))
        let badMask = op(anchors: [10, 14, 23, 27], mask: [2], classes: 3, ignore: 0.5, downsample: 8, smooth: true)
        XCTAssertThrowsError(try Yolov3LossOp.inferShapes(badMask, inputs: good))
        let x = Tensor(shape: [1, 8, 1, 1]), box = Tensor(shape: [1, 1, 4], floats: [0.5, 0.5, 0.2, 0.2])
        XCTAssertThrowsError(try OpHarness.run(o, values: ["x": x, "box": box, "label": Tensor(shape: [1, 1], dtype: .s32, integers: [3])]))
        let nan = Tensor(shape: [1, 1, 4], floats: [.nan, 0.5, 0.2, 0.2]), label = Tensor(shape: [1, 1], dtype: .s32, integers: [0])
        XCTAssertThrowsError(try OpHarness.run(o, values: ["x": x, "box": nan, "label": label]))
        // Boxes in pixels (no NormalizeBox), or a center far outside the image, are refused by name.
        for bad: [Float] in [[120, 80, 40, 30], [1.5, 0.3, 0.2, 0.2], [0.5, 0.5, 1.2, 0.3]] {
            XCTAssertThrowsError(try OpHarness.run(o, values: ["x": x, "box": Tensor(shape: [1, 1, 4], floats: bad), "label": label])) {
                XCTAssertTrue("\($0)".contains("normalized"), "\($0)")
            }
        }
    }

    /// A gt center at 1 or just beyond (within the 0.01 slack of a normalized box) lands in the last column (Paddle would read past the row):
    /// gt (x, 0.3, 0.8, 0.9) on a 2x2 grid (S 16) prefers anchor (10, 14): positive in row Int(0.6) = 0,
    /// column 1, with a finite loss.
    func testCenterOnTheEdgeUsesTheLastCell() throws {
        let o = op(anchors: [10, 14, 23, 27], mask: [0], classes: 3, ignore: 0.5, downsample: 8, smooth: true)
        var rng = SeededGenerator(seed: 41)
        let x = OpTestValues.random([1, 8, 2, 2], &rng), label = Tensor(shape: [1, 1], dtype: .s32, integers: [1])
        for cx: Float in [1, 1.005] {
            let run = try OpHarness.run(o, values: ["x": x, "box": Tensor(shape: [1, 1, 4], floats: [cx, 0.3, 0.8, 0.9]), "label": label])
            XCTAssertTrue(try XCTUnwrap(run.outputs["loss"]).floats.allSatisfy(\.isFinite), "x \(cx)")
            XCTAssertEqual(try XCTUnwrap(run.outputs["obj"]).floats[1], 1, "x \(cx): positive in row 0, column 1")
        }
    }
}

extension GradientCheckTests {
    /// Two 3x3 heads, 3 anchors with slots for the last two, 3 classes, gts of several sizes
    /// (some matched to the unmasked anchor, one unused row), mixup scores; L = mean(Loss).
    static func yolov3LossSketch() throws -> Sketch {
        var s = Sketch()
        s.parameter("x", [2, 16, 3, 3], -1, 1)
        s.program.declare(VarDesc(name: "gt.box", shape: [2, 3, 4], persistable: true, trainable: false))
        s.program.declare(VarDesc(name: "gt.label", shape: [2, 3], dtype: .s32, persistable: true, trainable: false))
        s.program.declare(VarDesc(name: "gt.score", shape: [2, 3], persistable: true, trainable: false))
        s.scope["gt.box"] = Tensor(shape: [2, 3, 4], floats: [0.2, 0.3, 0.9, 0.7, 0.55, 0.8, 0.35, 0.4, 0.7, 0.1, 0.1, 0.2,
                                                               0.8, 0.45, 0.6, 0.95, 0.3, 0.6, 0.5, 0.3, 0, 0, 0, 0])
        s.scope["gt.label"] = Tensor(shape: [2, 3], dtype: .s32, integers: [2, 0, 1, 1, 2, 0])
        s.scope["gt.score"] = Tensor(shape: [2, 3], floats: [1, 0.7, 0.4, 0.9, 1, 1])
        try s.op("yolov3_loss", ["X": ["x"], "GTBox": ["gt.box"], "GTLabel": ["gt.label"], "GTScore": ["gt.score"]], ["Loss": ["losses"]],
                 ["anchors": .ints([10, 14, 23, 27, 37, 58]), "anchor_mask": .ints([1, 2]), "class_num": .int(3),
                  "ignore_thresh": .float(0.5), "downsample_ratio": .int(8), "use_label_smooth": .bool(true)])
        try s.op("mean", ["X": ["losses"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }

    func testYolov3LossGradientsMatchFiniteDifferences() throws {
        try checkGradients(try Self.yolov3LossSketch(), feeds: [:])
    }
}
