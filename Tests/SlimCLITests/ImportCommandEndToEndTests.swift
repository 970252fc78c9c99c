import Foundation
import SlimGraph
import XCTest
@testable import SlimONNX

/// `slim import`'s exit codes and messages: 74 for a missing file, 65 for a file that is not
/// ONNX or holds an op without a translation (naming type, node and opset), 64 for a bad
/// `--input_shape`; an existing directory with other files is never overwritten, one holding
/// only model files is replaced.
final class ImportCommandEndToEndTests: XCTestCase {
    func node(_ type: String, _ inputs: [String], _ outputs: [String], name: String) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = type
        n.input = inputs
        n.output = outputs
        n.name = name
        return n
    }

    func model(_ nodes: [Onnx_NodeProto], shape: [Int], opset: Int64 = 13) -> Onnx_ModelProto {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var id = Onnx_OperatorSetIdProto()
        id.version = opset
        m.opsetImport = [id]
        m.graph.node = nodes
        m.graph.input = [Onnx_ValueInfoProto.tensor("input.1", .float, shape: shape)]
        m.graph.output = [Onnx_ValueInfoProto.tensor("y", .float, shape: [])]
        return m
    }

    func testExitCodesAndMessages() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let missing = try slim.run(["import", "--model", "nowhere.onnx", "--save_path", "out"])
        XCTAssertEqual(missing.status, 74, missing.err)
        XCTAssertTrue(missing.err.contains("nowhere.onnx"), missing.err)

        try slim.write("text.onnx", "this is not a protobuf\n")
        let text = try slim.run(["import", "--model", "text.onnx", "--save_path", "out"])
        XCTAssertEqual(text.status, 65, text.err)
        XCTAssertTrue(text.err.contains("is not an ONNX model"), text.err)

        let erf = model([node("Relu", ["input.1"], ["r"], name: "relu_1"), node("Erf", ["r"], ["y"], name: "erf_7")], shape: [-1, 3, 8, 8], opset: 12)
        try erf.serializedData().write(to: URL(fileURLWithPath: slim.path("erf.onnx")))
        let unsupported = try slim.run(["import", "--model", "erf.onnx", "--save_path", "out"])
        XCTAssertEqual(unsupported.status, 65, unsupported.err)
        XCTAssertTrue(unsupported.err.contains("unsupported ONNX op 'Erf' (node 'erf_7', opset 12)"), unsupported.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slim.path("out")), "nothing written on error")

        let relu = model([node("Relu", ["input.1"], ["y"], name: "relu_1")], shape: [1, 3, -1, -1])
        try relu.serializedData().write(to: URL(fileURLWithPath: slim.path("relu.onnx")))
        let symbolic = try slim.run(["import", "--model", "relu.onnx", "--save_path", "out"])
        XCTAssertEqual(symbolic.status, 65, symbolic.err)
        XCTAssertTrue(symbolic.err.contains("--input_shape"), symbolic.err)
        let badShape = try slim.run(["import", "--model", "relu.onnx", "--save_path", "out", "--input_shape", "1,3,x,8"])
        XCTAssertEqual(badShape.status, 64, badShape.err)
        let ok = try slim.run(["import", "--model", "relu.onnx", "--save_path", "out", "--input_shape", "1,3,16,8"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains("feeds: input.1 [-1, 3, 16, 8]; fetches: y"), ok.out)
        let again = try slim.run(["import", "--model", "relu.onnx", "--save_path", "out", "--input_shape", "3,16,16"])
        XCTAssertEqual(again.status, 0, "a directory of model files is replaced: \(again.err)")
        XCTAssertEqual(try ModelFile.load(from: slim.path("out")).program.variable("input.1")?.shape, [-1, 3, 16, 16])

        try FileManager.default.createDirectory(atPath: slim.path("mine"), withIntermediateDirectories: true)
        try slim.write("mine/notes.txt", "keep me\n")
        let foreign = try slim.run(["import", "--model", "relu.onnx", "--save_path", "mine", "--input_shape", "1,3,16,8"])
        XCTAssertEqual(foreign.status, 74, foreign.err)
        XCTAssertTrue(foreign.err.contains("notes.txt"), foreign.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: slim.path("mine")), ["notes.txt"])
    }
}
