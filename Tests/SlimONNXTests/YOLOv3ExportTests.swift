import SlimGraph
import SlimTensor
import SlimTestSupport
import XCTest
@testable import SlimONNX

/// A YOLOv3-MobileNetV1 detector exported up to its raw head outputs: leaky_relu and
/// nearest_interp translate, yolo_box and multiclass_nms stay out.
final class YOLOv3ExportTests: XCTestCase {
    func testHeadOutputsExportWithLeakyReluAndResize() throws {
        let built = try TinyYOLOv3.model()
        let heads = YOLOv3.headOutputs(of: built.program)
        XCTAssertEqual(heads.count, 3)
        let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        let onnx = try ONNXExporter().export(inference, params: built.params, fetches: heads)
        XCTAssertEqual(onnx.proto.graph.input.map(\.name), ["image"], "im_size feeds only the post-process")
        XCTAssertEqual(onnx.proto.graph.output.map(\.name), heads)
        XCTAssertEqual(onnx.nodes("LeakyRelu").count, 3 * 6 + 2, "six conv + BN per detection block, two transitions")
        XCTAssertEqual(onnx.nodes("LeakyRelu").first?.attribute("alpha")?.f, 0.1)
        let resizes = onnx.nodes("Resize")
        XCTAssertEqual(resizes.count, 2)
        for resize in resizes {
            XCTAssertEqual(onnx.initializer(resize.input[2])?.floatValues, [1, 1, 2, 2])
            XCTAssertEqual(resize.attribute("mode").map { String(decoding: $0.s, as: UTF8.self) }, "nearest")
            XCTAssertEqual(resize.attribute("coordinate_transformation_mode").map { String(decoding: $0.s, as: UTF8.self) }, "align_corners")
        }
        XCTAssertEqual(onnx.nodes("Concat").count, 2)
        XCTAssertFalse(onnx.nodeTypes.contains("Identity"), "the head outputs keep their slim names")
    }

    func testTheWholeDetectorNamesYoloBoxAsUnexportable() throws {
        let built = try TinyYOLOv3.model()
        let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        XCTAssertThrowsError(try ONNXExporter().export(inference, params: built.params)) { error in
            XCTAssertEqual((error as? ONNXExportError)?.opType, "yolo_box", "\(error)")
        }
    }

    func testAnUnknownFetchIsAGraphError() throws {
        let built = try TinyYOLOv3.model()
        XCTAssertThrowsError(try ONNXExporter().export(built.program, params: built.params, fetches: ["no_such_var"])) { error in
            XCTAssertTrue(error is GraphError, "\(error)")
        }
    }

    func testNearestInterpByANonIntegerFactorIsNotExported() throws {
        let program = Program(vars: [VarDesc(name: "image", shape: [-1, 2, 3, 3]), VarDesc(name: "up", shape: [-1, 2, 4, 4])],
                              ops: [OpDesc(type: "nearest_interp", inputs: ["X": ["image"]], outputs: ["Out": ["up"]],
                                           attrs: ["out_h": .int(4), "out_w": .int(4)])],
                              feeds: ["image"], fetches: ["up"])
        XCTAssertThrowsError(try ONNXExporter().export(program, params: [:])) { error in
            let e = error as? ONNXExportError
            XCTAssertEqual(e?.opType, "nearest_interp", "\(error)")
            XCTAssertTrue(e?.message.contains("not by integer factors") == true, "\(error)")
        }
    }
}
