import XCTest
@testable import SlimGraph
import SlimTensor

/// batch_norm: batch statistics and the running update in training, running statistics in eval
/// and with is_test, and both gradients, against a scalar reference in Double.
final class OpBatchNormTests: XCTestCase {
    let op = OpDesc(type: "batch_norm", inputs: ["X": ["x"], "Scale": ["scale"], "Bias": ["bias"], "Mean": ["mean"], "Variance": ["var"]],
                    outputs: ["Y": ["y"], "MeanOut": ["mean"], "VarianceOut": ["var"], "SavedMean": ["saved_mean"], "SavedVariance": ["saved_var"]],
                    attrs: ["epsilon": .float(1e-5), "momentum": .float(0.8), "is_test": .bool(false)])

    struct Inputs {
        var x, scale, bias, mean, variance, dy: Tensor
        var values: [String: Tensor] { ["x": x, "scale": scale, "bias": bias, "mean": mean, "var": variance] }
        var channels: Int { x.shape[1] }
        var inner: Int { x.shape.dropFirst(2).reduce(1, *) }
        /// The flat indices of channel `c`'s values.
        func indices(_ c: Int) -> [Int] {
            var result = [Int]()
            for n in 0..<x.shape[0] {
                let start = (n * channels + c) * inner
                result += Array(start..<(start + inner))
            }
            return result
        }
    }

    func inputs(_ shape: [Int], seed: UInt64) -> Inputs {
        var rng = SeededGenerator(seed: seed)
        let c = shape[1]
        return Inputs(x: OpTestValues.random(shape, &rng, -2, 3), scale: OpTestValues.random([c], &rng, 0.5, 1.5),
                      bias: OpTestValues.random([c], &rng), mean: OpTestValues.random([c], &rng),
                      variance: OpTestValues.random([c], &rng, 0.5, 2), dy: OpTestValues.random(shape, &rng))
    }

    func testTrainingUsesBatchStatisticsAndUpdatesTheRunningOnes() throws {
        for (shape, seed) in [([3, 4, 3, 2], UInt64(81)), ([6, 5], 82), ([1, 2, 4, 4], 83)] {
            let t = inputs(shape, seed: seed)
            let run = try OpHarness.run(op, values: t.values, frozen: ["mean", "var"], upstream: ["y": t.dy])
            let x = t.x.floats.map(Double.init), dy = t.dy.floats.map(Double.init)
            var y = [Float](repeating: 0, count: x.count), dx = y
            var mean = [Float](), variance = [Float](), savedMean = [Float](), savedVar = [Float](), dScale = [Float](), dBias = [Float]()
            for c in 0..<t.channels {
                let idx = t.indices(c), m = Double(idx.count)
                let mu = idx.reduce(0) { $0 + x[$1] } / m
                let v = idx.reduce(0) { $0 + (x[$1] - mu) * (x[$1] - mu) } / m
                let inv = 1 / (v + 1e-5).squareRoot(), gamma = Double(t.scale.floats[c])
                let xhat = idx.map { (x[$0] - mu) * inv }
                let sumDy = idx.reduce(0) { $0 + dy[$1] }, sumDyXhat = zip(idx, xhat).reduce(0) { $0 + dy[$1.0] * $1.1 }
                for (i, j) in idx.enumerated() {
                    y[j] = Float(gamma * xhat[i] + Double(t.bias.floats[c]))
                    dx[j] = Float(gamma * inv * (dy[j] - sumDy / m - xhat[i] * sumDyXhat / m))
                }
                mean.append(Float(0.8 * Double(t.mean.floats[c]) + 0.2 * mu))
                variance.append(Float(0.8 * Double(t.variance.floats[c]) + 0.2 * v * m / (m - 1)))
                savedMean.append(Float(mu))
                savedVar.append(Float(inv))
                dScale.append(Float(sumDyXhat))
                dBias.append(Float(sumDy))
            }
            assertClose(run.outputs["y"], y, shape: shape, "Y \(shape)")
            assertClose(run.scope["mean"], mean, "running mean written to the scope \(shape)")
            assertClose(run.scope["var"], variance, "running variance written to the scope \(shape)")
            assertClose(run.outputs["saved_mean"], savedMean, "SavedMean")
            assertClose(run.outputs["saved_var"], savedVar, "SavedVariance")
            assertClose(run.grads["x"], dx, shape: shape, tol: 2e-4, "dX \(shape)")
            assertClose(run.grads["scale"], dScale, tol: 2e-4, "dScale")
            assertClose(run.grads["bias"], dBias, tol: 2e-4, "dBias")
        }
    }

    /// The reference with the running statistics: Y and the gradients when they are constants.
    func checkRunningStatistics(_ run: OpRun, _ t: Inputs, gradients: Bool) {
        let x = t.x.floats, dy = t.dy.floats
        var y = x, dx = x, dScale = [Float](), dBias = [Float]()
        for c in 0..<t.channels {
            let inv = 1 / (t.variance.floats[c] + 1e-5).squareRoot(), gamma = t.scale.floats[c], mu = t.mean.floats[c]
            for j in t.indices(c) {
                y[j] = gamma * (x[j] - mu) * inv + t.bias.floats[c]
                dx[j] = dy[j] * gamma * inv
            }
            dScale.append(t.indices(c).reduce(0) { $0 + dy[$1] * (x[$1] - mu) * inv })
            dBias.append(t.indices(c).reduce(0) { $0 + dy[$1] })
        }
        assertClose(run.outputs["y"], y, shape: t.x.shape, "Y with running statistics")
        assertClose(run.scope["mean"], t.mean.floats, tol: 0, "running mean unchanged")
        assertClose(run.scope["var"], t.variance.floats, tol: 0, "running variance unchanged")
        guard gradients else { return }
        assertClose(run.grads["x"], dx, "dX with running statistics")
        assertClose(run.grads["scale"], dScale, "dScale with running statistics")
        assertClose(run.grads["bias"], dBias, "dBias with running statistics")
    }

    func testEvalAndIsTestUseTheRunningStatistics() throws {
        let t = inputs([2, 3, 2, 3], seed: 84)
        let eval = try OpHarness.run(op, values: t.values, frozen: ["mean", "var"], mode: .eval, fetches: ["y"])
        checkRunningStatistics(eval, t, gradients: false)
        var isTest = op
        isTest.attrs["is_test"] = .bool(true)
        let frozen = try OpHarness.run(isTest, values: t.values, frozen: ["mean", "var"], upstream: ["y": t.dy], fetches: ["y"])
        checkRunningStatistics(frozen, t, gradients: true)
    }

    func testInferShapesChecksChannels() throws {
        let shapes: [String: [[Int]]] = ["X": [[-1, 4, 8, 8]], "Scale": [[4]], "Bias": [[4]], "Mean": [[4]], "Variance": [[4]]]
        XCTAssertEqual(try BatchNormOp.inferShapes(op, inputs: shapes)["Y"], [[-1, 4, 8, 8]])
        var bad = shapes
        bad["Variance"] = [[3]]
        XCTAssertThrowsError(try BatchNormOp.inferShapes(op, inputs: bad))
        bad = shapes
        bad["X"] = [[-1, 4, 8]]
        XCTAssertThrowsError(try BatchNormOp.inferShapes(op, inputs: bad))
    }
}
