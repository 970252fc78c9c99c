import Foundation
import SlimGraph
import XCTest
@testable import SlimONNX

/// What `ONNXImporter` refuses, and how it says so: the op type, node name and opset of an op
/// without a translation; files that are missing or not ONNX; run-time weights; symbolic dims.
final class ImportErrorTests: XCTestCase {
    func importing(_ model: Onnx_ModelProto, inputShape: [Int]? = nil) throws -> ImportedModel {
        try ONNXImporter(inputShape: inputShape).importModel(model)
    }

    func assertImportError(_ model: Onnx_ModelProto, _ kind: ONNXImportError.Kind, _ text: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try importing(model), file: file, line: line) { error in
            guard let e = error as? ONNXImportError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, kind, e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(text), e.description, file: file, line: line)
        }
    }

    func testUnsupportedOpNamesTypeNodeAndOpset() {
        let model = ImportFixtures.model([ImportFixtures.node("Relu", ["x"], ["r"]), ImportFixtures.node("Erf", ["r"], ["y"], name: "erf_7")], opset: 12)
        assertImportError(model, .unsupported, "unsupported ONNX op 'Erf' (node 'erf_7', opset 12)")
        var custom = ImportFixtures.node("Relu", ["x"], ["y"], name: "ms")
        custom.domain = "com.microsoft"
        assertImportError(ImportFixtures.model([custom]), .unsupported, "unsupported ONNX op 'Relu' of domain 'com.microsoft' (node 'ms', opset 13)")
    }

    func testOpsetsOutsideTheSupportedRangeAreRefused() {
        assertImportError(ImportFixtures.model([ImportFixtures.node("Relu", ["x"], ["y"])], opset: 7), .unsupported, "opset 7 is outside 9...21")
    }

    func testRunTimeWeightsAndUnsupportedFormsAreNamed() {
        let conv = ImportFixtures.node("Conv", ["x", "x"], ["y"], name: "c1")
        assertImportError(ImportFixtures.model([conv]), .unsupported, "'Conv' (node 'c1', opset 13): input 1 (weights) 'x' is computed at run time")
        let pool = ImportFixtures.node("MaxPool", ["x"], ["y"], name: "p", [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]), .int("ceil_mode", 1)])
        assertImportError(ImportFixtures.model([pool], shape: [1, 3, 8, 8]), .unsupported, "ceil_mode = 1 where it changes the output size")
    }

    func testTheRunTimeBatchSizeIsOnlyTakenAsAReshapeTarget() throws {
        let shape = ImportFixtures.node("Shape", ["x"], ["s"]), cast = ImportFixtures.node("Cast", ["s"], ["f"], [.int("to", 1)])
        let add = ImportFixtures.node("Add", ["x", "f"], ["y"], name: "add_shape")
        assertImportError(ImportFixtures.model([shape, cast, add], shape: [1, 3, 4, 4]), .unsupported, "holds the run-time batch size")
        let transpose = ImportFixtures.node("Transpose", ["x"], ["t"], [.ints("perm", [1, 0, 2, 3])])
        let target = ImportFixtures.node("Concat", ["s0", "minus"], ["target"], [.int("axis", 0)])
        let gather = ImportFixtures.node("Gather", ["s", "zero"], ["g"]), unsqueeze = ImportFixtures.node("Unsqueeze", ["g", "axes"], ["s0"])
        let reshape = ImportFixtures.node("Reshape", ["t", "target"], ["y"], name: "r")
        let model = ImportFixtures.model([shape, gather, unsqueeze, target, transpose, reshape],
                                         initializers: ["zero": .int64s([0], dims: []), "axes": .int64s([0], dims: [1]), "minus": .int64s([-1], dims: [1])])
        assertImportError(model, .unsupported, "whose first dim is not the batch")
    }

    func testSymbolicDimsNeedAnInputShape() throws {
        let model = ImportFixtures.model([ImportFixtures.node("Relu", ["x"], ["y"])], shape: [1, 3, -1, -1])
        assertImportError(model, .malformed, "--input_shape")
        let imported = try importing(model, inputShape: [1, 3, 16, 8])
        XCTAssertEqual(imported.program.variable("x")?.shape, [-1, 3, 16, 8])
        XCTAssertEqual(imported.program.fetches, ["y"])
    }

    func testFilesThatAreMissingOrNotONNX() throws {
        XCTAssertThrowsError(try ONNXImporter().importModel(at: "/nonexistent/model.onnx")) { error in
            XCTAssertEqual((error as? ONNXImportError)?.kind, .io)
            XCTAssertTrue("\(error)".contains("/nonexistent/model.onnx"), "\(error)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slim-import-\(UUID().uuidString).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("name: not a model\nlayers: [1, 2, 3]\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ONNXImporter().importModel(at: path)) { error in
            XCTAssertEqual((error as? ONNXImportError)?.kind, .malformed, "\(error)")
            XCTAssertTrue("\(error)".contains("is not an ONNX model"), "\(error)")
        }
    }

    func testNamesAreSanitizedAndGraphOutputsKeepTheirNames() throws {
        var relu = ImportFixtures.node("Relu", ["x"], ["/layer 1/Relu_output_0"])
        relu.name = "/layer 1/Relu"
        let identity = ImportFixtures.node("Identity", ["/layer 1/Relu_output_0"], ["y"])
        let imported = try importing(ImportFixtures.model([relu, identity]))
        XCTAssertEqual(imported.program.fetches, ["y"])
        XCTAssertEqual(imported.program.ops.map(\.type), ["relu"])
        XCTAssertEqual(imported.program.ops.first?.output("Out"), "y")
    }
}
