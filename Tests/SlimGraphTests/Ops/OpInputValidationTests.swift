import XCTest
@testable import SlimGraph
import SlimTensor

/// Inputs a user's program or data can get wrong are thrown `GraphError`s, never kernel traps;
/// shapes the kernels cannot take directly (rank 6) run flattened where the op allows it.
final class OpInputValidationTests: XCTestCase {
    func assertGraphError(_ body: @autoclosure () throws -> Any, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), what, file: file, line: line) { XCTAssertTrue($0 is GraphError, "\(what): \($0)", file: file, line: line) }
    }

    func testWrongDTypesAreErrors() {
        let image = Tensor(shape: [1, 1, 3, 3], dtype: .s32, integers: Array(repeating: 1, count: 9))
        let conv = OpDesc(type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]])
        assertGraphError(try OpHarness.run(conv, values: ["x": image, "w": Tensor.filled(1, shape: [1, 1, 1, 1])]), "s32 conv input")
        let loss = OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["l"], "Label": ["y"]], outputs: ["Softmax": ["s"], "Loss": ["o"]])
        assertGraphError(try OpHarness.run(loss, values: ["l": Tensor.filled(0, shape: [2, 3]), "y": Tensor.filled(0, shape: [2, 1])]), "f32 labels")
        let concat = OpDesc(type: "concat", inputs: ["X": ["a", "b"]], outputs: ["Out": ["o"]])
        assertGraphError(try OpHarness.run(concat, values: ["a": Tensor.filled(0, shape: [1, 2]), "b": Tensor(shape: [1, 2], dtype: .s32)]), "mixed concat")
    }

    func testAttrsTheKernelsWouldTrapOnAreErrors() {
        let pool = OpDesc(type: "pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["o"]],
                          attrs: ["ksize": .ints([2, 2]), "paddings": .ints([2, 2]), "strides": .ints([1, 1])])
        assertGraphError(try Pool2DOp.inferShapes(pool, inputs: ["X": [[-1, 1, 4, 4]]]), "pool padding >= window")
        let bn = OpDesc(type: "batch_norm", inputs: ["X": ["x"], "Scale": ["s"], "Bias": ["b"], "Mean": ["m"], "Variance": ["v"]],
                        outputs: ["Y": ["y"]], attrs: ["epsilon": .float(-1)])
        assertGraphError(try BatchNormOp.inferShapes(bn, inputs: ["X": [[-1, 2]], "Scale": [[2]], "Bias": [[2]], "Mean": [[2]], "Variance": [[2]]]), "bn epsilon")
        let add = OpDesc(type: "elementwise_add", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["o"]])
        assertGraphError(try ElementwiseAddOp.inferShapes(add, inputs: ["X": [[1, 1, 1, 1, 1, 2]], "Y": [[2]]]), "rank 6 add")
        let conv = OpDesc(type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]], attrs: ["strides": .ints([0, 1])])
        assertGraphError(try Conv2DOp.inferShapes(conv, inputs: ["Input": [[-1, 1, 4, 4]], "Filter": [[1, 1, 1, 1]]]), "zero stride")
    }

    func testElementwiseOpsRunOnAnyRank() throws {
        var rng = SeededGenerator(seed: 111)
        let x = OpTestValues.random([2, 1, 2, 1, 2, 3], &rng), dOut = OpTestValues.random(x.shape, &rng)
        let relu = try OpHarness.run(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["o"]]), values: ["x": x], upstream: ["o": dOut])
        assertClose(relu.outputs["o"], x.floats.map { max($0, 0) }, shape: x.shape, "rank-6 relu")
        assertClose(relu.grads["x"], zip(x.floats, dOut.floats).map { $0 > 0 ? $1 : 0 }, shape: x.shape, "rank-6 relu backward")
        let softmax = try OpHarness.run(OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["o"]], attrs: ["axis": .int(2)]),
                                        values: ["x": x], upstream: ["o": dOut])
        let ref = OpActivationTests.softmax(x.floats, dOut.floats, shape: x.shape, axis: 2)
        assertClose(softmax.outputs["o"], ref.y, shape: x.shape, tol: 1e-5, "rank-6 softmax")
        assertClose(softmax.grads["x"], ref.dx, shape: x.shape, tol: 1e-5, "rank-6 softmax backward")
    }
}
