import XCTest
@testable import SlimGraph
import SlimTensor

/// transpose2 against index arithmetic, its inverse-permutation backward, and bad axes.
final class OpTranspose2Tests: XCTestCase {
    func testPermutesAndBacksOut() throws {
        var rng = SeededGenerator(seed: 51)
        let x = OpTestValues.random([2, 3, 4], &rng), dOut = OpTestValues.random([3, 4, 2], &rng)
        let op = OpDesc(type: "transpose2", inputs: ["X": ["x"]], outputs: ["Out": ["out"], "XShape": ["xs"]], attrs: ["axis": .ints([1, 2, 0])])
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        let xv = x.floats, dv = dOut.floats
        var expected = [Float](), dx = [Float](repeating: 0, count: 24)
        for j in 0..<3 { for k in 0..<4 { for i in 0..<2 { expected.append(xv[i * 12 + j * 4 + k]) } } }
        for j in 0..<3 { for k in 0..<4 { for i in 0..<2 { dx[i * 12 + j * 4 + k] = dv[(j * 4 + k) * 2 + i] } } }
        assertClose(run.outputs["out"], expected, shape: [3, 4, 2], tol: 0, "forward")
        assertClose(run.grads["x"], dx, shape: [2, 3, 4], tol: 0, "backward")
        XCTAssertEqual(run.outputs["xs"]?.shape, [0, 2, 3, 4])
    }

    /// The YOLOv3 head's scores [N, M, C] -> [N, C, M]: a hand-written 1x3x2 case.
    func testScoresToClassMajor() throws {
        let op = OpDesc(type: "transpose2", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["axis": .ints([0, 2, 1])])
        let run = try OpHarness.run(op, values: ["x": Tensor(shape: [1, 3, 2], floats: [1, 2, 3, 4, 5, 6])])
        assertClose(run.outputs["out"], [1, 3, 5, 2, 4, 6], shape: [1, 2, 3], tol: 0, "[0, 2, 1]")
    }

    func testBadAxisThrows() {
        for axis in [[0, 1], [0, 0, 1], [0, 1, 3]] {
            let op = OpDesc(type: "transpose2", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["axis": .ints(axis)])
            XCTAssertThrowsError(try Transpose2Op.inferShapes(op, inputs: ["X": [[-1, 3, 4]]]), "\(axis)")
        }
    }
}
