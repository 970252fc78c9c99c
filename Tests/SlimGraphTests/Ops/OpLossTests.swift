import XCTest
@testable import SlimGraph
import SlimTensor

/// softmax_with_cross_entropy, mean and accuracy against scalar references.
final class OpLossTests: XCTestCase {
    func testSoftmaxWithCrossEntropy() throws {
        var rng = SeededGenerator(seed: 41)
        for (n, c) in [(5, 4), (1, 3), (8, 10)] {
            let logits = OpTestValues.random([n, c], &rng, -30, 30)   // large logits: the stable path matters
            let label = OpTestValues.labels(n, classes: c, &rng), dLoss = OpTestValues.random([n, 1], &rng)
            let op = OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["logits"], "Label": ["label"]],
                            outputs: ["Softmax": ["softmax"], "Loss": ["loss"]])
            let run = try OpHarness.run(op, values: ["logits": logits, "label": label], upstream: ["loss": dLoss])
            let x = logits.floats.map(Double.init), y = label.asFloats.map { Int($0) }, g = dLoss.floats
            var softmax = [Float](), loss = [Float](), dx = [Float]()
            for i in 0..<n {
                let row = x[(i * c)..<((i + 1) * c)], m = row.reduce(-Double.infinity, max)
                let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                loss.append(Float(lse - row[i * c + y[i]]))
                for j in 0..<c {
                    let p = exp(row[i * c + j] - lse)
                    softmax.append(Float(p))
                    dx.append(Float((p - (j == y[i] ? 1 : 0)) * Double(g[i])))
                }
            }
            assertClose(run.outputs["loss"], loss, shape: [n, 1], tol: 1e-5, "loss")
            assertClose(run.outputs["softmax"], softmax, shape: [n, c], tol: 1e-5, "softmax")
            assertClose(run.grads["logits"], dx, shape: [n, c], tol: 1e-5, "dLogits")
            XCTAssertNil(run.grads["label"])
        }
    }

    func testCrossEntropyRejectsBadLabels() throws {
        let op = OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["logits"], "Label": ["label"]],
                        outputs: ["Softmax": ["softmax"], "Loss": ["loss"]])
        let logits = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try OpHarness.run(op, values: ["logits": logits, "label": Tensor(shape: [2, 1], dtype: .s32, integers: [0, 3])]))
        XCTAssertThrowsError(try OpHarness.run(op, values: ["logits": logits, "label": Tensor(shape: [2, 1], dtype: .s32, integers: [-1, 0])]))
        XCTAssertThrowsError(try SoftmaxWithCrossEntropyOp.inferShapes(op, inputs: ["Logits": [[-1, 3]], "Label": [[-1, 2]]]))
        XCTAssertEqual(try SoftmaxWithCrossEntropyOp.inferShapes(op, inputs: ["Logits": [[-1, 3]], "Label": [[-1, 1]]])["Loss"], [[-1, 1]])
        let ignored = try OpHarness.run(op, values: ["logits": logits, "label": Tensor(shape: [2, 1], dtype: .s32, integers: [-100, 2])],
                                        upstream: ["loss": Tensor.filled(1, shape: [2, 1])])
        XCTAssertEqual(ignored.outputs["loss"]?.floats[0], 0)
        XCTAssertEqual(ignored.grads["logits"]?.floats[0..<3].map { $0 }, [0, 0, 0])
    }

    func testMean() throws {
        var rng = SeededGenerator(seed: 42)
        let x = OpTestValues.random([3, 4, 5], &rng)
        let op = OpDesc(type: "mean", inputs: ["X": ["x"]], outputs: ["Out": ["out"]])
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": Tensor(shape: [1], floats: [2.5])])
        assertClose(run.outputs["out"], [x.floats.reduce(0, +) / 60], shape: [1], tol: 1e-6, "mean")
        assertClose(run.grads["x"], [Float](repeating: 2.5 / 60, count: 60), shape: x.shape, tol: 1e-7, "dX")
    }

    func testTopKAccuracyCountsTiesStably() throws {
        let scores = Tensor(shape: [4, 3], floats: [0.1, 0.7, 0.2,   0.5, 0.3, 0.2,   0.3, 0.3, 0.4,   0.2, 0.2, 0.2])
        let label = Tensor(shape: [4, 1], dtype: .s32, integers: [1, 2, 1, 1])
        func accuracy(k: Int) throws -> (Float, [Float], [Float]) {
            let op = OpDesc(type: "accuracy", inputs: ["Out": ["scores"], "Label": ["label"]],
                            outputs: ["Accuracy": ["acc"], "Correct": ["correct"], "Total": ["total"]], attrs: ["k": .int(k)])
            let run = try OpHarness.run(op, values: ["scores": scores, "label": label], mode: .eval)
            XCTAssertEqual(run.outputs["correct"]?.dtype, .s32)
            return (try XCTUnwrap(run.outputs["acc"]).floats[0], try XCTUnwrap(run.outputs["correct"]).asFloats, try XCTUnwrap(run.outputs["total"]).asFloats)
        }
        // Label ranks per row: 0; 2; 2 (0.4 is higher, class 0 ties and comes first); 1 (class 0 ties and comes first).
        let top1 = try accuracy(k: 1), top2 = try accuracy(k: 2), top3 = try accuracy(k: 3)
        XCTAssertEqual(top1.0, 0.25)
        XCTAssertEqual(top1.1, [1])
        XCTAssertEqual(top1.2, [4])
        XCTAssertEqual(top2.0, 0.5)
        XCTAssertEqual(top3.0, 1)
        let op = OpDesc(type: "accuracy", inputs: ["Out": ["scores"], "Label": ["label"]], outputs: ["Accuracy": ["acc"]])
        XCTAssertThrowsError(try AccuracyOp.inferShapes(op, inputs: ["Out": [[-1, 10]], "Label": [[-1, 10]]]))
    }
}
