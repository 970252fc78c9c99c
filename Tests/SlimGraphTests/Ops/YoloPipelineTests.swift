import XCTest
@testable import SlimGraph
import SlimTensor

/// The YOLOv3 ops composed as PaddleDetection's head composes them: a tiny two-scale head
/// (conv, leaky_relu, a stride-2 conv upsampled by nearest_interp, concat, a 1x1 conv) trained
/// through yolov3_loss + reduce_mean, and decoded through yolo_box, transpose2, multiclass_nms.
extension GradientCheckTests {
    static let yoloAnchors = [10, 13, 30, 40]

    /// The head up to `head` [N, 14, 4, 4] on feed `image` [N, 3, 4, 4].
    static func yoloHead() throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 4, 4]))
        s.program.feeds = ["image"]
        s.parameter("c1.w", [4, 3, 3, 3], -0.5, 0.5)
        s.parameter("c2.w", [4, 4, 3, 3], -0.5, 0.5)
        s.parameter("c3.w", [14, 8, 1, 1], -0.5, 0.5)
        try s.op("conv2d", ["Input": ["image"], "Filter": ["c1.w"]], ["Output": ["c1"]], ["paddings": .ints([1, 1])])
        try s.op("leaky_relu", ["X": ["c1"]], ["Out": ["a1"]], ["alpha": .float(0.1)])
        try s.op("conv2d", ["Input": ["a1"], "Filter": ["c2.w"]], ["Output": ["c2"]], ["paddings": .ints([1, 1]), "strides": .ints([2, 2])])
        try s.op("nearest_interp", ["X": ["c2"]], ["Out": ["up"]], ["scale": .float(2), "interp_method": .string("nearest")])
        try s.op("concat", ["X": ["up", "a1"]], ["Out": ["route"]], ["axis": .int(1)])
        try s.op("conv2d", ["Input": ["route"], "Filter": ["c3.w"]], ["Output": ["head"]])
        return s
    }

    func testYoloHeadTrainingGradientsMatchFiniteDifferences() throws {
        var s = try Self.yoloHead()
        s.program.declare(VarDesc(name: "gt.box", shape: [2, 2, 4], persistable: true, trainable: false))
        s.program.declare(VarDesc(name: "gt.label", shape: [2, 2], dtype: .s32, persistable: true, trainable: false))
        s.scope["gt.box"] = Tensor(shape: [2, 2, 4], floats: [0.3, 0.4, 0.5, 0.6, 0.8, 0.7, 0.2, 0.3, 0.6, 0.2, 0.9, 0.4, 0, 0, 0, 0])
        s.scope["gt.label"] = Tensor(shape: [2, 2], dtype: .s32, integers: [1, 0, 0, 0])
        try s.op("yolov3_loss", ["X": ["head"], "GTBox": ["gt.box"], "GTLabel": ["gt.label"]], ["Loss": ["losses"]],
                 ["anchors": .ints(Self.yoloAnchors), "anchor_mask": .ints([0, 1]), "class_num": .int(2), "ignore_thresh": .float(0.7),
                  "downsample_ratio": .int(8), "use_label_smooth": .bool(true)])
        try s.op("reduce_mean", ["X": ["losses"]], ["Out": ["loss"]], ["dim": .ints([0]), "reduce_all": .bool(true)])
        s.program.fetches = ["loss"]
        var rng = SeededGenerator(seed: 61)
        try checkGradients(s, feeds: ["image": OpTestValues.random([2, 3, 4, 4], &rng)])
    }

    func testYoloHeadDecodesThroughNMS() throws {
        var s = try Self.yoloHead()
        s.program.declare(VarDesc(name: "im_size", shape: [-1, 2], dtype: .s32))
        s.program.feeds.append("im_size")
        try s.op("yolo_box", ["X": ["head"], "ImgSize": ["im_size"]], ["Boxes": ["boxes"], "Scores": ["scores"]],
                 ["anchors": .ints(Self.yoloAnchors), "class_num": .int(2), "conf_thresh": .float(0.005), "downsample_ratio": .int(8)])
        try s.op("transpose2", ["X": ["scores"]], ["Out": ["scores.t"], "XShape": ["scores.xshape"]], ["axis": .ints([0, 2, 1])])
        try s.op("multiclass_nms", ["BBoxes": ["boxes"], "Scores": ["scores.t"]], ["Out": ["pred"], "NmsRoisNum": ["pred.num"]],
                 ["score_threshold": .float(0.01), "nms_top_k": .int(20), "keep_top_k": .int(5), "nms_threshold": .float(0.45),
                  "normalized": .bool(false), "background_label": .int(-1)])
        s.program.fetches = ["pred", "pred.num", "boxes"]
        var rng = SeededGenerator(seed: 62)
        let feeds = ["image": OpTestValues.random([2, 3, 4, 4], &rng), "im_size": Tensor(shape: [2, 2], dtype: .s32, integers: [32, 32, 64, 48])]
        let out = try Executor(program: s.program).run(feeds: feeds, scope: s.scope, mode: .eval)
        let pred = try XCTUnwrap(out["pred"]), counts = try XCTUnwrap(out["pred.num"]).withUnsafeElements(as: Int32.self) { $0.map(Int.init) }
        XCTAssertEqual(try XCTUnwrap(out["boxes"]).shape, [2, 32, 4])
        XCTAssertEqual(pred.shape, [counts.reduce(0, +), 6])
        XCTAssertEqual(counts, [5, 5], "keep_top_k 5 of 2 classes x 32 boxes")
        let rows = pred.floats
        for r in 0..<pred.shape[0] {
            let w: Float = r < counts[0] ? 31 : 47, h: Float = r < counts[0] ? 31 : 63
            XCTAssertTrue([0, 1].contains(rows[r * 6]), "label of row \(r)")
            XCTAssertTrue(rows[r * 6 + 2] >= 0 && rows[r * 6 + 4] <= w && rows[r * 6 + 3] >= 0 && rows[r * 6 + 5] <= h, "row \(r) clipped")
        }
    }
}
