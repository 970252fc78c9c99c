import Foundation
import SlimTensor
import XCTest
@testable import SlimGraph

/// Small hand-built programs and params shared by the model-file and program tests.
enum ModelFileSamples {
    /// A classifier: conv -> relu -> fc (mul + add) -> softmax, with a loss branch on `label`.
    static func classifier() -> Program {
        let vars = [
            VarDesc(name: "image", shape: [-1, 1, 4, 4]),
            VarDesc(name: "label", shape: [-1, 1], dtype: .s32),
            VarDesc(name: "conv2d_0.w_0", shape: [2, 1, 3, 3], persistable: true, trainable: true),
            VarDesc(name: "conv2d_0.tmp_0", shape: [-1, 2, 2, 2]),
            VarDesc(name: "relu_0.tmp_0", shape: [-1, 2, 2, 2]),
            VarDesc(name: "fc_0.w_0", shape: [8, 3], persistable: true, trainable: true),
            VarDesc(name: "fc_0.b_0", shape: [3], persistable: true, trainable: true),
            VarDesc(name: "fc_0.tmp_0", shape: [-1, 3]),
            VarDesc(name: "fc_0.tmp_1", shape: [-1, 3]),
            VarDesc(name: "fc_0.tmp_2", shape: [-1, 3]),
            VarDesc(name: "softmax_with_cross_entropy_0.tmp_0", shape: [-1, 3]),
            VarDesc(name: "softmax_with_cross_entropy_0.tmp_1", shape: [-1, 1]),
            VarDesc(name: "mean_0.tmp_0", shape: [1]),
        ]
        let ops = [
            OpDesc(type: "conv2d", inputs: ["Input": ["image"], "Filter": ["conv2d_0.w_0"]],
                   outputs: ["Output": ["conv2d_0.tmp_0"]], attrs: ["strides": .ints([1, 1]), "groups": .int(1)]),
            OpDesc(type: "relu", inputs: ["X": ["conv2d_0.tmp_0"]], outputs: ["Out": ["relu_0.tmp_0"]]),
            OpDesc(type: "mul", inputs: ["X": ["relu_0.tmp_0"], "Y": ["fc_0.w_0"]], outputs: ["Out": ["fc_0.tmp_0"]],
                   attrs: ["x_num_col_dims": .int(1)]),
            OpDesc(type: "elementwise_add", inputs: ["X": ["fc_0.tmp_0"], "Y": ["fc_0.b_0"]],
                   outputs: ["Out": ["fc_0.tmp_1"]], attrs: ["axis": .int(1)]),
            OpDesc(type: "softmax", inputs: ["X": ["fc_0.tmp_1"]], outputs: ["Out": ["fc_0.tmp_2"]]),
            OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["fc_0.tmp_1"], "Label": ["label"]],
                   outputs: ["Softmax": ["softmax_with_cross_entropy_0.tmp_0"], "Loss": ["softmax_with_cross_entropy_0.tmp_1"]]),
            OpDesc(type: "mean", inputs: ["X": ["softmax_with_cross_entropy_0.tmp_1"]], outputs: ["Out": ["mean_0.tmp_0"]]),
        ]
        return Program(vars: vars, ops: ops, feeds: ["image", "label"], fetches: ["fc_0.tmp_2", "mean_0.tmp_0"])
    }

    /// Values for the classifier's persistable vars (seeded pseudo-random floats).
    static func classifierParams() -> [String: Tensor] {
        var params: [String: Tensor] = [:]
        for v in classifier().persistables { params[v.name] = floats(v.shape, seed: UInt64(v.name.utf8.count)) }
        return params
    }

    /// A tensor of `shape` with deterministic floats, including negative zero and a NaN payload.
    static func floats(_ shape: [Int], seed: UInt64) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let count = shape.reduce(1, *)
        var values: [Float] = (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32) & 0xBF7F_FFFF)
        }
        if count > 1 { values[0] = -0.0; values[1] = Float(bitPattern: 0x7FC0_1234) }
        return Tensor(shape: shape, floats: values)
    }

    /// One tensor of every dtype, edge shapes included (rank 0, an empty dim).
    static func allDTypes() -> [String: Tensor] {
        [
            "a.f32": floats([2, 3], seed: 7),
            "b.s8": Tensor(shape: [5], dtype: .s8, integers: [-128, -1, 0, 1, 127]),
            "c.u8": Tensor(shape: [2, 2], dtype: .u8, integers: [0, 1, 128, 255]),
            "d.s32": Tensor(shape: [3], dtype: .s32, integers: [Int(Int32.min), 0, Int(Int32.max)]),
            "e.scalar": Tensor(shape: [], dtype: .s32, integers: [42]),
            "f.empty": Tensor(shape: [0, 4], dtype: .f32),
            "g.ünïcode名": Tensor(shape: [1], floats: [1.5]),
        ]
    }

    /// A fresh temporary directory, removed after the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let dir = NSTemporaryDirectory() + "slim-graph-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Asserts that `body` throws a `ModelFileError` of one of `kinds` whose description contains
/// every fragment; returns it.
@discardableResult
func assertModelFileError(_ kinds: Set<ModelFileError.Kind>, _ fragments: [String] = [],
                          file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> ModelFileError? {
    do {
        try body()
        XCTFail("expected a ModelFileError \(kinds.map(\.rawValue).sorted())", file: file, line: line)
    } catch let error as ModelFileError {
        XCTAssertTrue(kinds.contains(error.kind), "kind \(error.kind), expected \(kinds): \(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected ModelFileError, got \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}
