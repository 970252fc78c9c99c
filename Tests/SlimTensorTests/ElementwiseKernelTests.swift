import XCTest
@testable import SlimTensor

/// matmul, eltwise, softmax, binary and reduction kernels against scalar references.
final class ElementwiseKernelTests: XCTestCase {
    var rng = SeededGenerator(seed: 21)

    func random(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 8 - 4 })
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, tol: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tol, "\(what): max relative diff \(worst)", file: file, line: line)
    }

    func testMatmulWithTransposes() {
        for (m, k, n) in [(1, 5, 3), (7, 4, 9), (16, 33, 10)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = random(ta ? [k, m] : [m, k]), b = random(tb ? [n, k] : [k, n])
                    let av = a.floats, bv = b.floats
                    var c = [Float](repeating: 0, count: m * n)
                    for i in 0..<m { for j in 0..<n { for p in 0..<k {
                        c[i * n + j] += (ta ? av[p * m + i] : av[i * k + p]) * (tb ? bv[j * k + p] : bv[p * n + j])
                    } } }
                    assertClose(Kernels.matmul(a, b, transposeA: ta, transposeB: tb).floats, c, "matmul \(m)x\(k)x\(n) \(ta) \(tb)")
                }
            }
        }
    }

    func testEltwiseForwardAndBackward() {
        let x = random([2, 3, 4, 5]), dy = random([2, 3, 4, 5])
        let cases: [(EltwiseKind, (Float) -> Float, (Float) -> Float)] = [
            (.relu, { max($0, 0) }, { $0 > 0 ? 1 : 0 }),
            (.relu6, { min(max($0, 0), 6) }, { $0 > 0 && $0 < 6 ? 1 : 0 }),
            (.linear(alpha: 0.5, beta: 1), { 0.5 * $0 + 1 }, { _ in 0.5 }),
            (.tanh, { tanhf($0) }, { 1 - tanhf($0) * tanhf($0) }),
            (.sigmoid, { 1 / (1 + expf(-$0)) }, { let s = 1 / (1 + expf(-$0)); return s * (1 - s) }),
        ]
        for (kind, f, df) in cases {
            assertClose(Kernels.eltwiseForward(x, kind).floats, x.floats.map(f), "\(kind) forward")
            assertClose(Kernels.eltwiseBackward(dy, input: x, kind).floats, zip(dy.floats, x.floats).map { $0 * df($1) }, "\(kind) backward")
        }
    }

    func testSoftmaxAndLogSoftmaxAlongTheLastAxis() {
        let x = random([4, 10])
        let v = x.floats
        var soft = [Float](), logSoft = [Float]()
        for r in 0..<4 {
            let row = Array(v[r * 10..<(r + 1) * 10])
            let m = row.reduce(-Float.infinity, max)
            let sum = row.map { expf($0 - m) }.reduce(0, +)
            soft += row.map { expf($0 - m) / sum }
            logSoft += row.map { $0 - m - logf(sum) }
        }
        assertClose(Kernels.softmax(x, axis: 1).floats, soft, "softmax")
        assertClose(Kernels.logSoftmax(x, axis: -1).floats, logSoft, "logsoftmax")
    }

    func testBroadcastAddMultiplyAndReduceSum() {
        let a = random([2, 3, 4, 4]), bias = random([3])
        let av = a.floats, bv = bias.floats
        let added = Kernels.add(a, bias, axis: 1).floats
        let multiplied = Kernels.multiply(a, bias, axis: 1).floats
        for i in av.indices {
            let c = (i / 16) % 3
            XCTAssertEqual(added[i], av[i] + bv[c], accuracy: 1e-5)
            XCTAssertEqual(multiplied[i], av[i] * bv[c], accuracy: 1e-5)
        }
        let row = random([4])
        let rowAdded = Kernels.add(a, row).floats
        for i in av.indices { XCTAssertEqual(rowAdded[i], av[i] + row.floats[i % 4], accuracy: 1e-5) }
        var sums = [Float](repeating: 0, count: 3)
        for i in av.indices { sums[(i / 16) % 3] += av[i] }
        assertClose(Kernels.reduceSum(a, to: [1, 3, 1, 1]).floats, sums, "reduce to channels")
        XCTAssertEqual(Kernels.reduceSum(a, to: [3, 1, 1]).shape, [3, 1, 1])
        XCTAssertEqual(Kernels.broadcastShape([3], to: [2, 3, 4, 4], axis: 1), [1, 3, 1, 1])
    }
}
