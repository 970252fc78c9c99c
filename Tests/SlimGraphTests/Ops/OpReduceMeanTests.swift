import XCTest
@testable import SlimGraph
import SlimTensor

/// reduce_mean against scalar sums over chosen dims (keep_dim, negative dims, reduce_all).
final class OpReduceMeanTests: XCTestCase {
    func op(_ attrs: [String: Attribute]) -> OpDesc {
        OpDesc(type: "reduce_mean", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: attrs)
    }

    /// x [2, 3, 4] with x[i, j, k] = 12 i + 4 j + k; dOut over the reduced shape.
    func testMeansAndBackward() throws {
        let x = Tensor(shape: [2, 3, 4], floats: (0..<24).map(Float.init))
        // dim 1: out[i, k] = 12 i + 4 + k; dX[i, j, k] = dOut[i, k] / 3.
        let dOut = Tensor(shape: [2, 4], floats: [1, 2, 3, 4, 5, 6, 7, 8])
        let run = try OpHarness.run(op(["dim": .ints([1])]), values: ["x": x], upstream: ["out": dOut])
        assertClose(run.outputs["out"], [4, 5, 6, 7, 16, 17, 18, 19], shape: [2, 4], tol: 1e-6, "dim 1")
        var dx = [Float]()
        for i in 0..<2 { for _ in 0..<3 { for k in 0..<4 { dx.append(Float(i * 4 + k + 1) / 3) } } }
        assertClose(run.grads["x"], dx, shape: [2, 3, 4], tol: 1e-6, "dim 1 backward")
        // dims [0, -1] kept: out[0, j, 0] = mean over i, k = 6 + 4 j + 1.5.
        let kept = try OpHarness.run(op(["dim": .ints([0, -1]), "keep_dim": .bool(true)]), values: ["x": x])
        assertClose(kept.outputs["out"], [7.5, 11.5, 15.5], shape: [1, 3, 1], tol: 1e-6, "dims [0, -1] keep_dim")
        // reduce_all: 11.5, [1]; backward 1/24 everywhere times dOut.
        let all = try OpHarness.run(op(["dim": .ints([0]), "reduce_all": .bool(true)]), values: ["x": x],
                                    upstream: ["out": Tensor(shape: [1], floats: [2])])
        assertClose(all.outputs["out"], [11.5], shape: [1], tol: 1e-6, "reduce_all")
        assertClose(all.grads["x"], [Float](repeating: 2.0 / 24, count: 24), tol: 1e-6, "reduce_all backward")
    }

    func testBadDimThrows() {
        XCTAssertThrowsError(try ReduceMeanOp.inferShapes(op(["dim": .ints([3])]), inputs: ["X": [[-1, 3, 4]]]))
        XCTAssertEqual(try ReduceMeanOp.inferShapes(op([:]), inputs: ["X": [[-1, 3, 4]]])["Out"], [[3, 4]])
    }
}
