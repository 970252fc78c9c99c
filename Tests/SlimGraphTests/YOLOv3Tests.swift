import SlimGraph
import SlimTensor
import SlimTestSupport
import XCTest

/// YOLOv3-MobileNetV1 at width 0.25 on 64x64 images: the program verifies, trains and decodes.
final class YOLOv3Tests: XCTestCase {
    /// Paddle's names: the NMS output, the backbone's and head's parameters; the interface.
    func testProgramVerifiesWithPaddleNames() throws {
        let built = try TinyYOLOv3.model()
        try built.program.verify()
        XCTAssertEqual(built.interface.outputVars, ["multiclass_nms_0.tmp_0", "multiclass_nms_0.tmp_1"])
        XCTAssertEqual(built.interface.inferenceFeeds, ["image", "im_size"])
        XCTAssertEqual(built.feeds.filter { $0.usage == .training }.map(\.name), ["gt_box", "gt_label", "gt_score"])
        XCTAssertEqual(built.metric, .voc)
        XCTAssertNil(built.interface.classifier)
        for name in built.interface.inferenceFeeds + built.interface.outputVars + [built.loss] {
            XCTAssertNotNil(built.program.variable(name), name)
        }
        for name in ["conv1_weights", "conv1_bn_scale", "conv2_1_dw_weights", "conv6_sep_bn_variance",
                     "yolo_block.0.0.0.conv.weights", "yolo_block.2.tip.bn.var", "yolo_transition.1.bn.offset",
                     "yolo_output.0.conv.weights", "yolo_output.2.conv.bias"] {
            XCTAssertNotNil(built.params[name], name)
        }
        XCTAssertEqual(built.params["yolo_output.0.conv.bias"]?.shape, [3 * (5 + 3)])
        XCTAssertEqual(built.program.ops.filter { $0.type == "yolov3_loss" }.count, 3)
    }

    /// A forward gives a finite loss and NMS rows [total, 6] with per-image counts; one SGD step
    /// on every gradient keeps the loss finite.
    func testForwardAndOneTrainingStep() throws {
        let built = try TinyYOLOv3.model()
        let scope = Scope(built.params)
        let executor = try Executor(program: built.program)
        let out = try executor.run(feeds: TinyYOLOv3.feeds(), scope: scope, mode: .eval)
        let rows = try XCTUnwrap(out["multiclass_nms_0.tmp_0"]), counts = try XCTUnwrap(out["multiclass_nms_0.tmp_1"])
        XCTAssertEqual(counts.shape, [2])
        let perImage = counts.withUnsafeElements(as: Int32.self) { $0.map(Int.init) }
        XCTAssertEqual(rows.shape, [perImage.reduce(0, +), 6])
        XCTAssertTrue(perImage.allSatisfy { $0 <= 100 })
        XCTAssertTrue(rows.floats.allSatisfy(\.isFinite))

        let train = try executor.run(feeds: TinyYOLOv3.feeds(), scope: scope, mode: .train, fetches: [built.loss])
        let loss = try XCTUnwrap(train[built.loss]).floats
        XCTAssertEqual(loss.count, 1)
        XCTAssertTrue(loss[0].isFinite && loss[0] > 0, "loss \(loss)")
        let grads = try executor.backward(loss: built.loss)
        XCTAssertNotNil(grads["conv1_weights"])
        XCTAssertNotNil(grads["yolo_output.2.conv.bias"])
        for (name, g) in grads {
            XCTAssertTrue(g.floats.allSatisfy(\.isFinite), "gradient of \(name)")
            let w = try XCTUnwrap(scope[name]).floats, d = g.floats
            scope.tensors[name] = Tensor(shape: g.shape, floats: zip(w, d).map { $0 - 0.001 * $1 })
        }
        let again = try executor.run(feeds: TinyYOLOv3.feeds(), scope: scope, mode: .train, fetches: [built.loss])
        XCTAssertTrue(try XCTUnwrap(again[built.loss]).floats.allSatisfy(\.isFinite))
    }

    /// The program turns the readers' normalized xyxy boxes (after NormalizeBox) into yolov3_loss's normalized center boxes.
    func testGroundTruthBoxesAreNormalizedCenterBoxes() throws {
        let built = try TinyYOLOv3.model()
        let out = try Executor(program: built.program).run(feeds: TinyYOLOv3.feeds(), scope: Scope(built.params), mode: .eval, fetches: ["mul_0.tmp_0"])
        let boxes = try XCTUnwrap(out["mul_0.tmp_0"]).floats
        XCTAssertEqual(boxes.count, 32)
        let expected: [Float] = [0.5, 0.5, 0.4, 0.3, 0.2, 0.3, 0.1, 0.2] + Array(repeating: 0, count: 8) + [0.7, 0.6, 0.5, 0.5] + Array(repeating: 0, count: 12)
        for (a, e) in zip(boxes, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
        XCTAssertEqual(built.program.variable("gt_box_to_cxcywh")?.trainable, false)
    }

    /// An executor told that `image` is resizable runs the 64x64 program on 96x96 and 32x32
    /// images (RandomShape batches): the loss and the decoded boxes follow the fed size, and one
    /// backward pass gives finite gradients; without it the feed is rejected.
    func testImageFeedOfAnotherSizeRunsWhenResizable() throws {
        let built = try TinyYOLOv3.model()
        let scope = Scope(built.params)
        let executor = try Executor(program: built.program)
        for side in [96, 32] {
            var feeds = TinyYOLOv3.feeds()
            var rng = SeededGenerator(seed: UInt64(side))
            feeds["image"] = Tensor(shape: [2, 3, side, side], floats: (0..<(2 * 3 * side * side)).map { _ in rng.nextUnitFloat() })
            XCTAssertThrowsError(try executor.run(feeds: feeds, scope: scope, mode: .train, fetches: [built.loss]))
            executor.resizableFeeds = ["image"]
            defer { executor.resizableFeeds = [] }
            let out = try executor.run(feeds: feeds, scope: scope, mode: .train, fetches: [built.loss])
            XCTAssertTrue(try XCTUnwrap(out[built.loss]).floats.allSatisfy(\.isFinite))
            let grads = try executor.backward(loss: built.loss)
            XCTAssertEqual(grads["conv1_weights"]?.shape, built.params["conv1_weights"]?.shape)
            XCTAssertTrue(try XCTUnwrap(grads["conv1_weights"]).floats.allSatisfy(\.isFinite))
        }
    }

    func testBadShapesAndOptionsThrow() throws {
        XCTAssertThrowsError(try MobileNetBackbone(withExtraBlocks: true))
        XCTAssertThrowsError(try YOLOv3Head(numClasses: 3, anchorMasks: [[0, 1], [9]]))
        let yolo = YOLOv3(backbone: try MobileNetBackbone(), head: try YOLOv3Head(numClasses: 3))
        XCTAssertThrowsError(try yolo.build(inputShape: [3, 70, 64], seed: 1))
    }
}
