import XCTest
@testable import SlimGraph
import SlimTensor

/// reshape2 and flatten2: shapes (0 copies, -1 inferred, the batch kept unknown) and gradients.
final class OpShapeTests: XCTestCase {
    func reshape(_ target: [Int], _ x: [Int]) throws -> [Int] {
        let op = OpDesc(type: "reshape2", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["shape": .ints(target)])
        let shapes = try Reshape2Op.inferShapes(op, inputs: ["X": [x]])
        return try XCTUnwrap(shapes["Out"]?.first)
    }

    func testReshapeShapes() throws {
        XCTAssertEqual(try reshape([0, -1], [-1, 16, 4, 4]), [-1, 256])
        XCTAssertEqual(try reshape([-1, 256], [-1, 16, 4, 4]), [-1, 256])
        XCTAssertEqual(try reshape([0, 4, -1], [-1, 16, 4, 4]), [-1, 4, 64])
        XCTAssertEqual(try reshape([4, -1], [2, 6]), [4, 3])
        XCTAssertEqual(try reshape([0, 2, -1], [4, 6]), [4, 2, 3])
        XCTAssertThrowsError(try reshape([3, 0], [2, 2]))
        XCTAssertThrowsError(try reshape([5, -1], [2, 6]))
        XCTAssertThrowsError(try reshape([-1, -1], [2, 6]))
        XCTAssertThrowsError(try reshape([7], [2, 6]))
        XCTAssertThrowsError(try reshape([0, 0, 0], [2, 6]))
    }

    func testReshapeAndFlattenMoveValuesAndGradients() throws {
        var rng = SeededGenerator(seed: 31)
        let x = OpTestValues.random([2, 3, 2, 2], &rng), dOut = OpTestValues.random([2, 12], &rng)
        let reshape = OpDesc(type: "reshape2", inputs: ["X": ["x"]], outputs: ["Out": ["out"], "XShape": ["xshape"]], attrs: ["shape": .ints([0, -1])])
        let flatten = OpDesc(type: "flatten2", inputs: ["X": ["x"]], outputs: ["Out": ["out"], "XShape": ["xshape"]], attrs: ["axis": .int(1)])
        for op in [reshape, flatten] {
            let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
            assertClose(run.outputs["out"], x.floats, shape: [2, 12], "\(op.type) forward")
            XCTAssertEqual(run.outputs["xshape"]?.shape, [0, 2, 3, 2, 2])
            assertClose(run.grads["x"], dOut.floats, shape: x.shape, "\(op.type) backward")
        }
    }

    func testFlattenShapes() throws {
        func flatten(_ axis: Int, _ x: [Int]) throws -> [Int] {
            let op = OpDesc(type: "flatten2", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(axis)])
            let shapes = try Flatten2Op.inferShapes(op, inputs: ["X": [x]])
            return try XCTUnwrap(shapes["Out"]?.first)
        }
        XCTAssertEqual(try flatten(1, [-1, 16, 4, 4]), [-1, 256])
        XCTAssertEqual(try flatten(2, [-1, 16, 4, 4]), [-1, 16])
        XCTAssertEqual(try flatten(0, [2, 3, 4]), [1, 24])
        XCTAssertEqual(try flatten(3, [2, 3, 4]), [24, 1])
        XCTAssertThrowsError(try flatten(4, [2, 3, 4]))
    }
}
