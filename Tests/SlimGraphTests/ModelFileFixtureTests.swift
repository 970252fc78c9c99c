import Foundation
import SlimTensor
import XCTest
@testable import SlimGraph

/// Reads the committed version-1 model directory `Fixtures/model_v1` (written by this code when
/// `SLIM_WRITE_FIXTURES=1`), so a change of either file format that breaks old files fails here.
/// Keep the fixture when the format moves on: add a `model_v2` beside it instead.
final class ModelFileFixtureTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/model_v1").path

    /// x [-1, 2] -> mul(w) -> scale -> z, with a persistable of every dtype.
    static func program() -> Program {
        let vars = [
            VarDesc(name: "x", shape: [-1, 2]),
            VarDesc(name: "w", shape: [2, 2], persistable: true, trainable: true),
            VarDesc(name: "y", shape: [-1, 2]),
            VarDesc(name: "z", shape: [-1, 2]),
            VarDesc(name: "q", shape: [3], dtype: .s8, persistable: true),
            VarDesc(name: "u", shape: [2], dtype: .u8, persistable: true),
            VarDesc(name: "n", shape: [1], dtype: .s32, persistable: true),
        ]
        let ops = [
            OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["w"]], outputs: ["Out": ["y"]], attrs: ["x_num_col_dims": .int(1)]),
            OpDesc(type: "scale", inputs: ["X": ["y"]], outputs: ["Out": ["z"]],
                   attrs: ["scale": .float(0.5), "bias_after_scale": .bool(true), "note": .string("v1")]),
        ]
        return Program(vars: vars, ops: ops, feeds: ["x"], fetches: ["z"])
    }

    static func params() -> [String: Tensor] {
        [
            "w": Tensor(shape: [2, 2], floats: [1.5, -2, 0.1, -0.0]),
            "q": Tensor(shape: [3], dtype: .s8, integers: [-128, 0, 127]),
            "u": Tensor(shape: [2], dtype: .u8, integers: [0, 255]),
            "n": Tensor(shape: [1], dtype: .s32, integers: [-123_456_789]),
        ]
    }

    func testVersion1FixtureLoads() throws {
        if ProcessInfo.processInfo.environment["SLIM_WRITE_FIXTURES"] == "1" {
            try ModelFile.save(program: Self.program(), params: Self.params(), to: Self.fixture)
        }
        let loaded = try ModelFile.load(from: Self.fixture)
        XCTAssertEqual(loaded.program, Self.program())
        XCTAssertEqual(loaded.params, Self.params())
        XCTAssertEqual(loaded.program.textDump(), Self.program().textDump())
    }

    func testParamsEncodingIsUnchangedByteForByte() throws {
        let stored = try ModelFileSamples.read(Self.fixture + "/__params__")
        XCTAssertEqual(ParamsFile.encode(Self.params()), stored)
    }

    func testFixtureNamesAreDetectedAsEvalNames() throws {
        XCTAssertEqual(try ModelFile.detectNames(in: Self.fixture).model, ModelFile.evalNames.model)
    }
}
