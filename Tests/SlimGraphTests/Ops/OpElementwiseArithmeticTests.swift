import XCTest
@testable import SlimGraph
import SlimTensor

/// elementwise_mul, elementwise_sub and elementwise_div (Y broadcast at `axis`) against scalar
/// references, forward and both gradients.
final class OpElementwiseArithmeticTests: XCTestCase {
    /// For each flat index of X, the flat index of Y aligned at `axis` (broadcast dims give 0).
    static func yIndex(x: [Int], y: [Int], axis: Int) -> [Int] {
        let start = axis < 0 ? x.count - y.count : axis
        return (0..<x.reduce(1, *)).map { i in
            var rest = i, index = 0, stride = 1
            for d in x.indices.reversed() {
                let coord = rest % x[d]
                rest /= x[d]
                if d >= start && d < start + y.count {
                    let yd = y[d - start]
                    if yd != 1 { index += coord * stride }
                    stride *= yd
                }
            }
            return index
        }
    }

    func check(_ type: String, x xShape: [Int], y yShape: [Int], axis: Int, seed: UInt64,
               f: (Float, Float) -> Float, dfx: (Float, Float) -> Float, dfy: (Float, Float) -> Float) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random(xShape, &rng), dOut = OpTestValues.random(xShape, &rng)
        let y = OpTestValues.random(yShape, &rng, 0.5, 2)   // away from 0 for div
        let op = OpDesc(type: type, inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(axis)])
        let run = try OpHarness.run(op, values: ["x": x, "y": y], upstream: ["out": dOut])
        let map = Self.yIndex(x: xShape, y: yShape, axis: axis), xs = x.floats, ys = y.floats, ds = dOut.floats
        var dy = [Float](repeating: 0, count: y.count)
        for i in xs.indices { dy[map[i]] += ds[i] * dfy(xs[i], ys[map[i]]) }
        let what = "\(type) \(xShape) \(yShape) axis \(axis)"
        assertClose(run.outputs["out"], xs.indices.map { f(xs[$0], ys[map[$0]]) }, shape: xShape, what)
        assertClose(run.grads["x"], xs.indices.map { ds[$0] * dfx(xs[$0], ys[map[$0]]) }, shape: xShape, "\(what) dX")
        assertClose(run.grads["y"], dy, shape: yShape, tol: 1e-3, "\(what) dY")
    }

    let shapes: [([Int], [Int], Int)] = [([2, 3, 4, 5], [2, 3, 4, 5], -1), ([2, 3, 4, 5], [3, 1, 1], -1), ([2, 3, 4, 5], [3], 1),
                                         ([2, 3, 4, 5], [1], -1), ([4, 6], [6], -1)]

    func testMul() throws {
        for (i, (x, y, axis)) in shapes.enumerated() {
            try check("elementwise_mul", x: x, y: y, axis: axis, seed: UInt64(40 + i), f: *, dfx: { $1 }, dfy: { x, _ in x })
        }
    }

    func testSub() throws {
        for (i, (x, y, axis)) in shapes.enumerated() {
            try check("elementwise_sub", x: x, y: y, axis: axis, seed: UInt64(50 + i), f: -, dfx: { _, _ in 1 }, dfy: { _, _ in -1 })
        }
    }

    func testDiv() throws {
        for (i, (x, y, axis)) in shapes.enumerated() {
            try check("elementwise_div", x: x, y: y, axis: axis, seed: UInt64(60 + i), f: /, dfx: { 1 / $1 }, dfy: { -$0 / ($1 * $1) })
        }
    }

    func testShapesThatDoNotBroadcastAreRejected() {
        let op = OpDesc(type: "elementwise_mul", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]])
        XCTAssertThrowsError(try ElementwiseMulOp.inferShapes(op, inputs: ["X": [[-1, 3, 4]], "Y": [[5]]]))
        XCTAssertEqual(try ElementwiseDivOp.inferShapes(op, inputs: ["X": [[-1, 3, 4]], "Y": [[4]]])["Out"], [[-1, 3, 4]])
    }
}
