import XCTest
@testable import SlimGraph
import SlimTensor

/// The ops of the distillation losses (`square`, `scale`, `fsp`, soft-label `cross_entropy`):
/// forward against hand-computed values, backward against central finite differences of
/// `L = sum(Out * W)` for a random upstream gradient `W`.
final class OpDistillationTests: XCTestCase {
    /// `(L(x + eps) - L(x - eps)) / 2 eps` for every element of `input`, with `L = sum(out * upstream)`.
    private func numericGradient(_ op: OpDesc, _ values: [String: Tensor], input: String, upstream: [String: Tensor],
                                 eps: Float = 1e-2) throws -> [Float] {
        let x = try XCTUnwrap(values[input])
        func loss(_ shifted: Tensor) throws -> Float {
            var v = values
            v[input] = shifted
            return try XCTUnwrap(OpHarness.run(op, values: v, upstream: upstream).outputs["test.loss"]).floats[0]
        }
        return try (0..<x.count).map { i in
            var plus = x, minus = x
            plus.withUnsafeMutableFloats { $0[i] += eps }
            minus.withUnsafeMutableFloats { $0[i] -= eps }
            return (try loss(plus) - loss(minus)) / (2 * eps)
        }
    }

    /// Runs `op` with `upstream` and compares each f32 input's backward gradient with finite differences.
    private func checkGradients(_ op: OpDesc, _ values: [String: Tensor], output: String, inputs: [String], frozen: Set<String> = [],
                                tol: Float = 2e-2, file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SeededGenerator(seed: 17)
        let shape = try XCTUnwrap(OpHarness.run(op, values: values, frozen: frozen).outputs[output], file: file, line: line).shape
        let upstream = [output: OpTestValues.random(shape, &rng)]
        let run = try OpHarness.run(op, values: values, frozen: frozen, upstream: upstream)
        for name in inputs {
            let analytic = try XCTUnwrap(run.grads[name], "no gradient for \(name)", file: file, line: line).floats
            let numeric = try numericGradient(op, values, input: name, upstream: upstream)
            assertClose(Tensor(shape: [analytic.count], floats: analytic), numeric, tol: tol, "\(op.type) d\(name)", file: file, line: line)
        }
        for name in frozen { XCTAssertNil(run.grads[name], "\(name) gets no gradient", file: file, line: line) }
    }

    func testSquare() throws {
        let op = OpDesc(type: "square", inputs: ["X": ["x"]], outputs: ["Out": ["y"]])
        let x = Tensor(shape: [2, 3], floats: [1, -2, 0.5, 3, 0, -1.5])
        assertClose(try OpHarness.run(op, values: ["x": x]).outputs["y"], [1, 4, 0.25, 9, 0, 2.25], shape: [2, 3], "square")
        try checkGradients(op, ["x": x], output: "y", inputs: ["x"])
    }

    func testScale() throws {
        let op = OpDesc(type: "scale", inputs: ["X": ["x"]], outputs: ["Out": ["y"]], attrs: ["scale": .float(0.5), "bias": .float(1)])
        let x = Tensor(shape: [4], floats: [2, -4, 0, 1])
        assertClose(try OpHarness.run(op, values: ["x": x]).outputs["y"], [2, -1, 1, 1.5], shape: [4], "scale, bias after")
        var before = op
        before.attrs["bias_after_scale"] = .bool(false)
        assertClose(try OpHarness.run(before, values: ["x": x]).outputs["y"], [1.5, -1.5, 0.5, 1], shape: [4], "scale, bias before")
        try checkGradients(op, ["x": x], output: "y", inputs: ["x"])
    }

    /// Out[n, i, j] = sum_hw X[n, i, hw] Y[n, j, hw] / HW, written out for a [1, 2, 1, 2] x [1, 1, 1, 2] pair.
    func testFSPMatrix() throws {
        let op = OpDesc(type: "fsp", inputs: ["X": ["a"], "Y": ["b"]], outputs: ["Out": ["m"]])
        let a = Tensor(shape: [1, 2, 1, 2], floats: [1, 2, 3, 4]), b = Tensor(shape: [1, 1, 1, 2], floats: [5, 6])
        assertClose(try OpHarness.run(op, values: ["a": a, "b": b]).outputs["m"], [(5 + 12) / 2, (15 + 24) / 2], shape: [1, 2, 1], "fsp")
        var rng = SeededGenerator(seed: 3)
        try checkGradients(op, ["a": OpTestValues.random([2, 3, 2, 3], &rng), "b": OpTestValues.random([2, 2, 2, 3], &rng)],
                           output: "m", inputs: ["a", "b"])
        XCTAssertThrowsError(try OpHarness.run(op, values: ["a": a, "b": Tensor(shape: [1, 1, 2, 2], floats: [1, 2, 3, 4])])) { error in
            XCTAssertTrue("\(error)".contains("spatial"), "\(error)")
        }
    }

    /// Y[n] = -sum_c Label[n, c] log X[n, c]; Label gets no gradient.
    func testSoftLabelCrossEntropy() throws {
        let op = OpDesc(type: "cross_entropy", inputs: ["X": ["p"], "Label": ["q"]], outputs: ["Y": ["y"]], attrs: ["soft_label": .bool(true)])
        let p = Tensor(shape: [2, 2], floats: [0.25, 0.75, 0.5, 0.5]), q = Tensor(shape: [2, 2], floats: [0.5, 0.5, 1, 0])
        let expected = [-(0.5 * logf(0.25) + 0.5 * logf(0.75)), -logf(0.5)]
        assertClose(try OpHarness.run(op, values: ["p": p, "q": q]).outputs["y"], expected, shape: [2, 1], "cross_entropy")
        let p3 = Tensor(shape: [2, 3], floats: [0.2, 0.3, 0.5, 0.6, 0.3, 0.15])
        let q3 = Tensor(shape: [2, 3], floats: [0.1, 0.6, 0.3, 0.3, 0.3, 0.4])
        try checkGradients(op, ["p": p3, "q": q3], output: "y", inputs: ["p"], frozen: ["q"], tol: 3e-2)
        var hard = op
        hard.attrs["soft_label"] = .bool(false)
        XCTAssertThrowsError(try OpHarness.run(hard, values: ["p": p, "q": q]))
    }
}
