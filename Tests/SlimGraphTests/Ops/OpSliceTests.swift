import XCTest
@testable import SlimGraph
import SlimTensor

/// slice against a scalar reference (negative and out-of-range bounds clamp), its backward, and
/// shape inference with an unknown batch.
final class OpSliceTests: XCTestCase {
    func testSliceAndItsGradient() throws {
        var rng = SeededGenerator(seed: 121)
        let shape = [2, 6, 4, 5], x = OpTestValues.random(shape, &rng)
        let op = OpDesc(type: "slice", inputs: ["Input": ["x"]], outputs: ["Out": ["out"]],
                        attrs: ["axes": .ints([1, 3]), "starts": .ints([1, -3]), "ends": .ints([4, 100])])
        let outShape = [2, 3, 4, 3], dOut = OpTestValues.random(outShape, &rng)
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        var expected: [Float] = [], dx = [Float](repeating: 0, count: x.count)
        for n in 0..<2 { for c in 1..<4 { for h in 0..<4 { for w in 2..<5 {
            let i = ((n * 6 + c) * 4 + h) * 5 + w
            expected.append(x.floats[i])
            dx[i] = dOut.floats[expected.count - 1]
        } } } }
        assertClose(run.outputs["out"], expected, shape: outShape, "slice")
        assertClose(run.grads["x"], dx, shape: shape, "slice backward")
        XCTAssertEqual(try SliceOp.inferShapes(op, inputs: ["Input": [[-1, 6, 4, 5]]])["Out"], [[-1, 3, 4, 3]])
        let empty = OpDesc(type: "slice", inputs: ["Input": ["x"]], outputs: ["Out": ["out"]], attrs: ["axes": .ints([1]), "starts": .ints([4]), "ends": .ints([2])])
        XCTAssertThrowsError(try SliceOp.inferShapes(empty, inputs: ["Input": [[-1, 6, 4, 5]]]))
    }
}
