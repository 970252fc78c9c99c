import Foundation
import XCTest
@testable import SlimGraph
import SlimTensor

/// sigmoid, tanh, hard_sigmoid, hard_swish and clip against scalar references (forward and
/// backward).
final class OpSmoothActivationTests: XCTestCase {
    func check(_ type: String, attrs: [String: Attribute] = [:], f: (Float) -> Float, df: (Float) -> Float,
               file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SeededGenerator(seed: 31)
        // Values near the kinks of the piecewise functions (e.g. -3, 3, 0.5 / slope) are avoided by the grid offset.
        let x = Tensor(shape: [2, 3, 4, 5], floats: (0..<120).map { Float($0) * 0.1 - 5.93 })
        let dOut = OpTestValues.random(x.shape, &rng)
        let op = OpDesc(type: type, inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: attrs)
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        assertClose(run.outputs["out"], x.floats.map(f), shape: x.shape, tol: 1e-5, "\(type) forward", file: file, line: line)
        assertClose(run.grads["x"], zip(x.floats, dOut.floats).map { df($0) * $1 }, shape: x.shape, tol: 1e-5, "\(type) backward", file: file, line: line)
    }

    func testSigmoidAndTanh() throws {
        let s = { (x: Float) in 1 / (1 + exp(-x)) }
        try check("sigmoid", f: s, df: { s($0) * (1 - s($0)) })
        try check("tanh", f: { tanh($0) }, df: { 1 - tanh($0) * tanh($0) })
    }

    func testHardSigmoidWithPaddleAndONNXParameters() throws {
        for (slope, offset) in [(Float(0.2), Float(0.5)), (0.25, 0.4)] {
            try check("hard_sigmoid", attrs: ["slope": .float(Double(slope)), "offset": .float(Double(offset))],
                      f: { min(max(slope * $0 + offset, 0), 1) }, df: { slope * $0 + offset > 0 && slope * $0 + offset < 1 ? slope : 0 })
        }
    }

    func testHardSwish() throws {
        try check("hard_swish", f: { $0 * min(max($0 + 3, 0), 6) / 6 }, df: { $0 < -3 ? 0 : $0 > 3 ? 1 : (2 * $0 + 3) / 6 })
        let op = OpDesc(type: "hard_swish", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["threshold": .float(5)])
        XCTAssertThrowsError(try HardSwishOp.inferShapes(op, inputs: ["X": [[-1, 3]]]))
    }

    func testClip() throws {
        try check("clip", attrs: ["min": .float(-1.5), "max": .float(0.75)], f: { min(max($0, -1.5), 0.75) }, df: { $0 > -1.5 && $0 < 0.75 ? 1 : 0 })
        let op = OpDesc(type: "clip", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["min": .float(2), "max": .float(1)])
        XCTAssertThrowsError(try ClipOp.inferShapes(op, inputs: ["X": [[-1, 3]]]))
    }
}
