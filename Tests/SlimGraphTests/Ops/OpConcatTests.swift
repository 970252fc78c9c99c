import XCTest
@testable import SlimGraph
import SlimTensor

/// concat along any axis, its split backward, and a var concatenated twice.
final class OpConcatTests: XCTestCase {
    /// Reference: outer blocks of each input laid side by side.
    static func concat(_ xs: [Tensor], axis: Int) -> [Float] {
        let outer = xs[0].shape[..<axis].reduce(1, *)
        var out = [Float]()
        for o in 0..<outer {
            for x in xs {
                let block = x.shape[axis...].reduce(1, *)
                out += x.floats[(o * block)..<((o + 1) * block)]
            }
        }
        return out
    }

    func testConcatAndSplitGradients() throws {
        var rng = SeededGenerator(seed: 71)
        for (shapes, axis) in [([[2, 3, 2, 2], [2, 1, 2, 2], [2, 4, 2, 2]], 1), ([[1, 5], [3, 5]], 0), ([[2, 2, 3], [2, 2, 1]], -1)] {
            let xs = shapes.map { OpTestValues.random($0, &rng) }
            let a = axis < 0 ? axis + shapes[0].count : axis
            var outShape = shapes[0]
            outShape[a] = shapes.map { $0[a] }.reduce(0, +)
            let dOut = OpTestValues.random(outShape, &rng)
            let names = xs.indices.map { "x\($0)" }
            let op = OpDesc(type: "concat", inputs: ["X": names], outputs: ["Out": ["out"]], attrs: ["axis": .int(axis)])
            let run = try OpHarness.run(op, values: Dictionary(uniqueKeysWithValues: zip(names, xs)), upstream: ["out": dOut])
            assertClose(run.outputs["out"], Self.concat(xs, axis: a), shape: outShape, tol: 0, "concat \(shapes) axis \(axis)")
            // The gradient of each input is its piece of dOut: concatenating the pieces gives dOut back.
            let pieces = try names.map { try XCTUnwrap(run.grads[$0], $0) }
            XCTAssertEqual(pieces.map(\.shape), shapes)
            XCTAssertEqual(Self.concat(pieces, axis: a), dOut.floats)
        }
    }

    func testTheSameVarTwiceGetsBothPieces() throws {
        let x = Tensor(shape: [1, 2], floats: [1, 2])
        let op = OpDesc(type: "concat", inputs: ["X": ["x", "x"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(1)])
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": Tensor(shape: [1, 4], floats: [1, 10, 100, 1000])])
        XCTAssertEqual(run.outputs["out"]?.floats, [1, 2, 1, 2])
        XCTAssertEqual(run.grads["x"]?.floats, [101, 1010])
    }

    func testInferShapes() throws {
        let op = OpDesc(type: "concat", inputs: ["X": ["a", "b"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(1)])
        XCTAssertEqual(try ConcatOp.inferShapes(op, inputs: ["X": [[-1, 3, 4, 4], [-1, 5, 4, 4]]])["Out"], [[-1, 8, 4, 4]])
        XCTAssertThrowsError(try ConcatOp.inferShapes(op, inputs: ["X": [[-1, 3, 4, 4], [-1, 5, 4, 3]]]))
        XCTAssertThrowsError(try ConcatOp.inferShapes(op, inputs: ["X": [[-1, 3, 4, 4], [-1, 5, 4]]]))
    }
}
