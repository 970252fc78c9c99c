import XCTest
@testable import SlimTensor

/// conv2d forward and both backwards against a naive scalar reference.
final class ConvKernelTests: XCTestCase {
    struct Case { let n, c, h, w, o, k, stride, pad, dil, groups: Int }

    static let cases: [Case] = [
        Case(n: 2, c: 3, h: 7, w: 6, o: 4, k: 3, stride: 1, pad: 1, dil: 1, groups: 1),
        Case(n: 1, c: 4, h: 9, w: 9, o: 6, k: 3, stride: 2, pad: 1, dil: 1, groups: 2),
        Case(n: 2, c: 8, h: 8, w: 8, o: 8, k: 3, stride: 1, pad: 1, dil: 1, groups: 8),   // depthwise
        Case(n: 2, c: 16, h: 2, w: 2, o: 16, k: 3, stride: 1, pad: 1, dil: 1, groups: 16), // depthwise on a map smaller than the filter
        Case(n: 1, c: 2, h: 10, w: 8, o: 3, k: 3, stride: 1, pad: 2, dil: 2, groups: 1),  // dilated
        Case(n: 3, c: 1, h: 28, w: 28, o: 6, k: 5, stride: 1, pad: 2, dil: 1, groups: 1), // LeNet's first conv
        Case(n: 1, c: 16, h: 5, w: 5, o: 8, k: 1, stride: 2, pad: 0, dil: 1, groups: 1),  // pointwise, stride 2
    ]

    static func random(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    /// Index helpers over the reference loops.
    struct Ref {
        let c: Case
        var oh: Int { (c.h + 2 * c.pad - c.dil * (c.k - 1) - 1) / c.stride + 1 }
        var ow: Int { (c.w + 2 * c.pad - c.dil * (c.k - 1) - 1) / c.stride + 1 }
        var cpg: Int { c.c / c.groups }
        var opg: Int { c.o / c.groups }

        /// Visits every (n, o, y, x, ci, ky, kx) with the input position inside the image.
        func forEach(_ body: (_ xi: Int, _ wi: Int, _ yi: Int, _ o: Int) -> Void) {
            for n in 0..<c.n { for o in 0..<c.o { for oy in 0..<oh { for ox in 0..<ow {
                let g = o / opg
                for ci in 0..<cpg { for ky in 0..<c.k { for kx in 0..<c.k {
                    let iy = oy * c.stride - c.pad + ky * c.dil, ix = ox * c.stride - c.pad + kx * c.dil
                    guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                    let xi = ((n * c.c + g * cpg + ci) * c.h + iy) * c.w + ix
                    let wi = ((o * cpg + ci) * c.k + ky) * c.k + kx
                    body(xi, wi, ((n * c.o + o) * oh + oy) * ow + ox, o)
                } } }
            } } } }
        }
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = max(b.map(abs).max() ?? 1, 1)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4 * scale, "\(what): max diff \(worst)", file: file, line: line)
    }

    func testForwardAndBackwardMatchTheReference() {
        var rng = SeededGenerator(seed: 11)
        for t in Self.cases {
            let ref = Ref(c: t)
            let g = ConvGeometry(strides: [t.stride, t.stride], paddings: [t.pad, t.pad], dilations: [t.dil, t.dil], groups: t.groups)
            let x = Self.random([t.n, t.c, t.h, t.w], &rng)
            let w = Self.random([t.o, t.c / t.groups, t.k, t.k], &rng)
            let b = Self.random([t.o], &rng)
            let dy = Self.random([t.n, t.o, ref.oh, ref.ow], &rng)
            let xs = x.floats, ws = w.floats, bs = b.floats, dys = dy.floats
            var y = [Float](repeating: 0, count: t.n * t.o * ref.oh * ref.ow)
            for i in y.indices { y[i] = bs[(i / (ref.oh * ref.ow)) % t.o] }
            var dx = [Float](repeating: 0, count: xs.count), dw = [Float](repeating: 0, count: ws.count)
            ref.forEach { xi, wi, yi, _ in
                y[yi] += xs[xi] * ws[wi]
                dx[xi] += dys[yi] * ws[wi]
                dw[wi] += dys[yi] * xs[xi]
            }
            var db = [Float](repeating: 0, count: t.o)
            for (i, v) in dys.enumerated() { db[(i / (ref.oh * ref.ow)) % t.o] += v }
            let label = "\(t)"
            for training in [true, false] {
                assertClose(Kernels.conv2dForward(x, filter: w, bias: b, geometry: g, training: training).floats, y, "forward \(label)")
            }
            assertClose(Kernels.conv2dBackwardData(dy, filter: w, inputShape: x.shape, geometry: g).floats, dx, "backward data \(label)")
            let grads = Kernels.conv2dBackwardWeights(x, dy, filterShape: w.shape, geometry: g, withBias: true)
            assertClose(grads.filter.floats, dw, "backward weights \(label)")
            assertClose(grads.bias?.floats ?? [], db, "backward bias \(label)")
        }
    }

    func testPrimitivesAreCachedAcrossCalls() {
        var rng = SeededGenerator(seed: 3)
        let x = Self.random([2, 3, 8, 8], &rng), w = Self.random([4, 3, 3, 3], &rng)
        let g = ConvGeometry(paddings: [1, 1])
        _ = Kernels.conv2dForward(x, filter: w, bias: nil, geometry: g, training: true)
        let before = PrimitiveCache.shared.creations
        for _ in 0..<5 { _ = Kernels.conv2dForward(x, filter: w, bias: nil, geometry: g, training: true) }
        XCTAssertEqual(PrimitiveCache.shared.creations, before)
    }

    func testInputsAreNotModified() {
        var rng = SeededGenerator(seed: 5)
        let x = Self.random([1, 2, 5, 5], &rng), w = Self.random([2, 2, 3, 3], &rng)
        let copy = x.floats
        let dy = Kernels.conv2dForward(x, filter: w, bias: nil, geometry: ConvGeometry(), training: true)
        _ = Kernels.conv2dBackwardData(dy, filter: w, inputShape: x.shape, geometry: ConvGeometry())
        XCTAssertEqual(x.floats, copy)
    }
}
