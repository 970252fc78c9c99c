import XCTest
@testable import SlimGraph
import SlimTensor

/// leaky_relu against a scalar reference, its Paddle 1.6 default slope, and finite differences.
final class OpLeakyReluTests: XCTestCase {
    func check(alpha: Float?, expectedSlope: Float) throws {
        var rng = SeededGenerator(seed: 31)
        let x = OpTestValues.random([2, 3, 4, 5], &rng, -4, 4), dOut = OpTestValues.random(x.shape, &rng)
        let attrs: [String: Attribute] = alpha.map { ["alpha": .float(Double($0))] } ?? [:]
        let op = OpDesc(type: "leaky_relu", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: attrs)
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        assertClose(run.outputs["out"], x.floats.map { $0 > 0 ? $0 : expectedSlope * $0 }, shape: x.shape, tol: 1e-6, "forward")
        assertClose(run.grads["x"], zip(x.floats, dOut.floats).map { $0 > 0 ? $1 : expectedSlope * $1 }, shape: x.shape,
                    tol: 1e-6, "backward")
    }

    func testForwardAndBackward() throws {
        try check(alpha: 0.1, expectedSlope: 0.1)
        try check(alpha: nil, expectedSlope: 0.02)
    }

    /// Hand-worked: alpha 0.1 on [-2, -0.5, 0, 3].
    func testHandWorkedValues() throws {
        let op = OpDesc(type: "leaky_relu", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["alpha": .float(0.1)])
        let run = try OpHarness.run(op, values: ["x": Tensor(shape: [4], floats: [-2, -0.5, 0, 3])])
        assertClose(run.outputs["out"], [-0.2, -0.05, 0, 3], tol: 1e-7, "leaky_relu")
    }

    func testNonFiniteAlphaThrows() {
        let op = OpDesc(type: "leaky_relu", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["alpha": .float(.nan)])
        XCTAssertThrowsError(try LeakyReluOp.inferShapes(op, inputs: ["X": [[2, 3]]]))
    }
}

extension GradientCheckTests {
    /// L = mean(leaky_relu(x · W)) with the pre-activations kept away from the kink at 0.
    func testLeakyReluGradientsMatchFiniteDifferences() throws {
        var s = Sketch()
        s.parameter("x", [3, 4])
        s.parameter("w", [4, 5])
        s.scope["x"] = Tensor(shape: [3, 4], floats: [0.9, -0.3, 0.5, 0.2, -0.7, 0.4, 0.1, -0.8, 0.3, 0.6, -0.5, 0.9])
        s.scope["w"] = Tensor(shape: [4, 5], floats: [0.8, -0.6, 0.4, 0.3, -0.9, 0.2, 0.7, -0.5, 0.6, 0.1,
                                                      -0.4, 0.5, 0.9, -0.7, 0.3, 0.6, -0.2, 0.1, 0.8, -0.5])
        try s.op("mul", ["X": ["x"], "Y": ["w"]], ["Out": ["h"]])
        try s.op("leaky_relu", ["X": ["h"]], ["Out": ["a"]], ["alpha": .float(0.1)])
        try s.op("mean", ["X": ["a"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        let h = try Executor(program: s.program).run(feeds: [:], scope: s.scope, mode: .train, fetches: ["h"])["h"]
        XCTAssertGreaterThan(try XCTUnwrap(h).floats.map(abs).min() ?? 0, 0.05, "pre-activations away from 0")
        try checkGradients(s, feeds: [:], eps: 1e-3)
    }
}
