import XCTest
@testable import SlimGraph
import SlimTensor

/// relu, relu6 and softmax against scalar references.
final class OpActivationTests: XCTestCase {
    func checkClip(_ type: String, attrs: [String: Attribute], hi: Float) throws {
        var rng = SeededGenerator(seed: 21)
        let x = OpTestValues.random([2, 3, 4, 5], &rng, -8, 8), dOut = OpTestValues.random(x.shape, &rng)
        let op = OpDesc(type: type, inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: attrs)
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        assertClose(run.outputs["out"], x.floats.map { min(max($0, 0), hi) }, shape: x.shape, "\(type) forward")
        assertClose(run.grads["x"], zip(x.floats, dOut.floats).map { $0 > 0 && $0 < hi ? $1 : 0 }, shape: x.shape, "\(type) backward")
    }

    func testReluAndRelu6() throws {
        try checkClip("relu", attrs: [:], hi: .infinity)
        try checkClip("relu6", attrs: [:], hi: 6)
        try checkClip("relu6", attrs: ["threshold": .float(3)], hi: 3)
    }

    /// Reference softmax along `axis` of `shape` and its backward.
    static func softmax(_ x: [Float], _ dy: [Float], shape: [Int], axis: Int) -> (y: [Float], dx: [Float]) {
        let n = shape[axis], outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var y = x, dx = x
        for o in 0..<outer { for j in 0..<inner {
            let idx = (0..<n).map { o * n * inner + $0 * inner + j }
            let m = idx.map { x[$0] }.reduce(-Float.infinity, max)
            let e = idx.map { exp(Double(x[$0] - m)) }, s = e.reduce(0, +)
            for (k, i) in idx.enumerated() { y[i] = Float(e[k] / s) }
            let dot = idx.reduce(Float(0)) { $0 + dy[$1] * y[$1] }
            for i in idx { dx[i] = y[i] * (dy[i] - dot) }
        } }
        return (y, dx)
    }

    func testSoftmaxAlongAnyAxis() throws {
        var rng = SeededGenerator(seed: 22)
        for (shape, axis) in [([4, 7], -1), ([2, 3, 4], 1), ([1, 5], 1)] {
            let x = OpTestValues.random(shape, &rng, -5, 5), dOut = OpTestValues.random(shape, &rng)
            let op = OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(axis)])
            let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
            let ref = Self.softmax(x.floats, dOut.floats, shape: shape, axis: axis < 0 ? axis + shape.count : axis)
            assertClose(run.outputs["out"], ref.y, shape: shape, tol: 1e-5, "softmax \(shape) axis \(axis)")
            assertClose(run.grads["x"], ref.dx, shape: shape, tol: 1e-5, "softmax backward \(shape) axis \(axis)")
        }
        let op = OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(2)])
        XCTAssertThrowsError(try SoftmaxOp.inferShapes(op, inputs: ["X": [[-1, 10]]]))
    }
}
