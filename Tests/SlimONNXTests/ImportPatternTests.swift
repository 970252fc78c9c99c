import SlimGraph
import XCTest
@testable import SlimONNX

/// Paddle2ONNX's forms of a convolution bias (`Add` of a `[1, O, 1, 1]` constant) and of hard
/// swish (`Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)`) import as Paddle writes them: the bias an
/// axis-1 `[O]` add the executor folds into the convolution, the chain one `hard_swish` op.
/// A chain whose inner result is read elsewhere stays as it is. (Outputs against ONNX Runtime:
/// the case `conv_add_bias_decomposed_hardswish_opset11` of bench/onnx_import_cases.py.)
final class ImportPatternTests: XCTestCase {
    typealias F = ImportFixtures

    func chain(extraReader: Bool) -> Onnx_ModelProto {
        var nodes = [F.node("Conv", ["x", "w"], ["c"], [.ints("pads", [1, 1, 1, 1])]), F.node("Add", ["c", "b"], ["cb"]),
                     F.node("Add", ["cb", "three"], ["a"]), F.node("Clip", ["a", "lo", "hi"], ["r"]),
                     F.node("Mul", ["cb", "r"], ["m"]), F.node("Div", ["m", "six"], [extraReader ? "d" : "y"])]
        if extraReader { nodes.append(F.node("Add", ["d", "r"], ["y"])) }
        return F.model(nodes, initializers: [
            "w": .floats([Float](repeating: 0.1, count: 4 * 3 * 9), dims: [4, 3, 3, 3]), "b": .floats([1, 2, 3, 4], dims: [1, 4, 1, 1]),
            "three": .floats([3], dims: []), "lo": .floats([0], dims: []), "hi": .floats([6], dims: []), "six": .floats([6], dims: [])],
            shape: [1, 3, 8, 8], opset: 11)
    }

    func testDecomposedHardSwishAndAddedBiasImportAsPaddleForms() throws {
        let imported = try ONNXImporter().importModel(chain(extraReader: false))
        XCTAssertEqual(imported.program.ops.map(\.type), ["conv2d", "elementwise_add", "hard_swish"])
        let add = try XCTUnwrap(imported.program.ops.first { $0.type == "elementwise_add" })
        XCTAssertEqual(add.int("axis", default: -1), 1)
        let bias = try XCTUnwrap(add.inputs["Y"]?.first)
        XCTAssertEqual(imported.params[bias]?.shape, [4])
        XCTAssertEqual(imported.params[bias]?.floats, [1, 2, 3, 4])
        XCTAssertEqual(imported.params.count, 2, "the constants 3, 0, 6 and 6 are gone: \(imported.params.keys.sorted())")
    }

    func testAChainWhoseInnerResultIsReadElsewhereStays() throws {
        let imported = try ONNXImporter().importModel(chain(extraReader: true))
        XCTAssertFalse(imported.program.ops.contains { $0.type == "hard_swish" })
        XCTAssertEqual(imported.program.ops.filter { $0.type == "elementwise_div" }.count, 1)
    }
}
