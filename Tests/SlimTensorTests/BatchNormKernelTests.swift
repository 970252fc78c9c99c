import XCTest
@testable import SlimTensor

/// Batch norm training/inference forward and backward against a scalar reference and finite differences.
final class BatchNormKernelTests: XCTestCase {
    var rng = SeededGenerator(seed: 41)

    func random(_ shape: [Int], lo: Float = -2, hi: Float = 2) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in lo + rng.nextUnitFloat() * (hi - lo) })
    }

    /// Per-channel scalar reference (Double accumulation).
    struct Ref {
        let shape: [Int]
        var c: Int { shape[1] }
        var spatial: Int { shape.count == 4 ? shape[2] * shape[3] : 1 }
        var m: Int { shape[0] * spatial }
        func channel(_ i: Int) -> Int { (i / spatial) % c }

        func stats(_ x: [Float]) -> (mean: [Float], variance: [Float]) {
            var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
            for (i, v) in x.enumerated() { sum[channel(i)] += Double(v) }
            let mean = sum.map { $0 / Double(m) }
            for (i, v) in x.enumerated() { let d = Double(v) - mean[channel(i)]; sq[channel(i)] += d * d }
            return (mean.map(Float.init), sq.map { Float($0 / Double(m)) })
        }

        func normalize(_ x: [Float], _ g: [Float], _ b: [Float], _ mean: [Float], _ variance: [Float], _ eps: Float) -> [Float] {
            x.enumerated().map { i, v in let k = channel(i); return g[k] * (v - mean[k]) / (variance[k] + eps).squareRoot() + b[k] }
        }

        func backward(_ dy: [Float], _ x: [Float], _ g: [Float], _ mean: [Float], _ variance: [Float], _ eps: Float) -> ([Float], [Float], [Float]) {
            var dg = [Double](repeating: 0, count: c), db = [Double](repeating: 0, count: c)
            let inv = variance.map { 1 / Double($0 + eps).squareRoot() }
            let xhat = x.enumerated().map { i, v in (Double(v) - Double(mean[channel(i)])) * inv[channel(i)] }
            for i in x.indices { db[channel(i)] += Double(dy[i]); dg[channel(i)] += Double(dy[i]) * xhat[i] }
            let dx = x.indices.map { i -> Float in
                let k = channel(i)
                return Float(Double(g[k]) * inv[k] * (Double(dy[i]) - db[k] / Double(m) - xhat[i] * dg[k] / Double(m)))
            }
            return (dx, dg.map(Float.init), db.map(Float.init))
        }
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, tol: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tol, "\(what): max relative diff \(worst)", file: file, line: line)
    }

    func testTrainingInferenceAndBackwardMatchTheReference() {
        for shape in [[2, 3, 5, 4], [1, 8, 7, 7], [4, 16, 3, 3], [8, 5], [1, 17, 2, 2], [3, 32]] {
            let x = random(shape, lo: -1, hi: 3), g = random([shape[1]]), b = random([shape[1]]), dy = random(shape)
            let eps: Float = 1e-5
            let ref = Ref(shape: shape)
            let (mean, variance) = ref.stats(x.floats)
            let out = Kernels.batchNormTraining(x, scale: g, shift: b, epsilon: eps)
            assertClose(out.mean.floats, mean, "mean \(shape)")
            assertClose(out.variance.floats, variance, "biased variance \(shape)")
            assertClose(out.output.floats, ref.normalize(x.floats, g.floats, b.floats, mean, variance, eps), "training \(shape)")

            let movingMean = random([shape[1]]), movingVar = random([shape[1]], lo: 0.5, hi: 2)
            let inferred = Kernels.batchNormInference(x, scale: g, shift: b, mean: movingMean, variance: movingVar, epsilon: eps)
            assertClose(inferred.floats, ref.normalize(x.floats, g.floats, b.floats, movingMean.floats, movingVar.floats, eps), "inference \(shape)")

            let grads = Kernels.batchNormBackward(dy, input: x, scale: g, mean: out.mean, variance: out.variance, epsilon: eps)
            let (dx, dg, db) = ref.backward(dy.floats, x.floats, g.floats, mean, variance, eps)
            assertClose(grads.input.floats, dx, "dx \(shape)", tol: 2e-4)
            assertClose(grads.scale.floats, dg, "dscale \(shape)", tol: 2e-4)
            assertClose(grads.shift.floats, db, "dshift \(shape)")
        }
    }

    /// dL/dx, dL/dscale, dL/dshift for L = Σ r * batchNormTraining(x) by central differences.
    func testBackwardMatchesFiniteDifferences() {
        let shape = [3, 2, 2, 2]
        let x = random(shape), g = random([2], lo: 0.5, hi: 1.5), b = random([2]), r = random(shape)
        let eps: Float = 1e-3, h: Float = 1e-2
        func loss(_ x: Tensor, _ g: Tensor, _ b: Tensor) -> Float {
            let y = Kernels.batchNormTraining(x, scale: g, shift: b, epsilon: eps).output.floats
            return Float(zip(y, r.floats).map { Double($0 * $1) }.reduce(0, +))
        }
        func numeric(_ t: Tensor, _ f: (Tensor) -> Float) -> [Float] {
            (0..<t.count).map { i in
                var plus = t, minus = t
                plus.withUnsafeMutableFloats { $0[i] += h }
                minus.withUnsafeMutableFloats { $0[i] -= h }
                return (f(plus) - f(minus)) / (2 * h)
            }
        }
        let fwd = Kernels.batchNormTraining(x, scale: g, shift: b, epsilon: eps)
        let grads = Kernels.batchNormBackward(r, input: x, scale: g, mean: fwd.mean, variance: fwd.variance, epsilon: eps)
        assertClose(grads.input.floats, numeric(x) { loss($0, g, b) }, "dx", tol: 1e-2)
        assertClose(grads.scale.floats, numeric(g) { loss(x, $0, b) }, "dscale", tol: 1e-2)
        assertClose(grads.shift.floats, numeric(b) { loss(x, g, $0) }, "dshift", tol: 1e-2)
    }

    func testPrimitivesAreCachedAcrossCalls() {
        let x = random([2, 4, 3, 3]), g = random([4]), b = random([4])
        func step() {
            let out = Kernels.batchNormTraining(x, scale: g, shift: b, epsilon: 1e-5)
            _ = Kernels.batchNormInference(x, scale: g, shift: b, mean: out.mean, variance: out.variance, epsilon: 1e-5)
            _ = Kernels.batchNormBackward(out.output, input: x, scale: g, mean: out.mean, variance: out.variance, epsilon: 1e-5)
        }
        step()
        let before = PrimitiveCache.shared.creations
        for _ in 0..<3 { step() }
        XCTAssertEqual(PrimitiveCache.shared.creations, before)
    }
}
