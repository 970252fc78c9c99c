import XCTest
@testable import SlimTensor

/// pool2d forward and backward (max, avg exclusive, avg inclusive) against a naive scalar reference.
final class PoolKernelTests: XCTestCase {
    struct Case { let n, c, h, w, kh, kw, sh, sw: Int; let pads: [Int] }

    static let cases: [Case] = [
        Case(n: 2, c: 3, h: 8, w: 8, kh: 2, kw: 2, sh: 2, sw: 2, pads: [0, 0, 0, 0]),
        Case(n: 1, c: 4, h: 9, w: 7, kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1]),   // ResNet stem pooling
        Case(n: 2, c: 2, h: 7, w: 10, kh: 3, kw: 2, sh: 1, sw: 3, pads: [1, 0, 2, 1]),  // asymmetric
        Case(n: 3, c: 5, h: 4, w: 6, kh: 4, kw: 6, sh: 1, sw: 1, pads: [0, 0, 0, 0]),   // global
        Case(n: 1, c: 1, h: 5, w: 5, kh: 3, kw: 3, sh: 3, sw: 3, pads: [1, 1, 0, 0]),   // floor mode drops a row
    ]

    /// Reference forward and backward for one case and kind.
    static func reference(_ t: Case, _ kind: PoolKind, x: [Float], dy: [Float]) -> (y: [Float], dx: [Float]) {
        let g = PoolGeometry(kind: kind, kernel: [t.kh, t.kw], strides: [t.sh, t.sw], paddings: t.pads)
        let oh = g.outputShape(input: [t.n, t.c, t.h, t.w])[2], ow = g.outputShape(input: [t.n, t.c, t.h, t.w])[3]
        var y = [Float](repeating: 0, count: t.n * t.c * oh * ow), dx = [Float](repeating: 0, count: x.count)
        for p in 0..<(t.n * t.c) { for oy in 0..<oh { for ox in 0..<ow {
            var window: [Int] = []
            for ky in 0..<t.kh { for kx in 0..<t.kw {
                let iy = oy * t.sh - t.pads[0] + ky, ix = ox * t.sw - t.pads[1] + kx
                if iy >= 0, iy < t.h, ix >= 0, ix < t.w { window.append((p * t.h + iy) * t.w + ix) }
            } }
            let yi = (p * oh + oy) * ow + ox
            switch kind {
            case .max:
                let arg = window.max { x[$0] < x[$1] }!
                y[yi] = x[arg]
                dx[arg] += dy[yi]
            case .avg, .avgInclusive:
                let divisor = Float(kind == .avg ? window.count : t.kh * t.kw)
                y[yi] = window.map { x[$0] }.reduce(0, +) / divisor
                for i in window { dx[i] += dy[yi] / divisor }
            }
        } } }
        return (y, dx)
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5, "\(what): max diff \(worst)", file: file, line: line)
    }

    func testForwardAndBackwardMatchTheReference() {
        var rng = SeededGenerator(seed: 31)
        for t in Self.cases {
            for kind in PoolKind.allCases {
                let g = PoolGeometry(kind: kind, kernel: [t.kh, t.kw], strides: [t.sh, t.sw], paddings: t.pads)
                let x = ConvKernelTests.random([t.n, t.c, t.h, t.w], &rng)
                let yShape = g.outputShape(input: x.shape)
                let dy = ConvKernelTests.random(yShape, &rng)
                let ref = Self.reference(t, kind, x: x.floats, dy: dy.floats)
                let label = "\(kind) \(t)"
                let inference = Kernels.pool2dForward(x, geometry: g, training: false)
                XCTAssertNil(inference.workspace)
                assertClose(inference.output.floats, ref.y, "inference \(label)")
                let (y, workspace) = Kernels.pool2dForward(x, geometry: g, training: true)
                XCTAssertEqual(workspace != nil, kind == .max, label)
                assertClose(y.floats, ref.y, "training \(label)")
                let dx = Kernels.pool2dBackward(dy, inputShape: x.shape, geometry: g, workspace: workspace)
                assertClose(dx.floats, ref.dx, "backward \(label)")
            }
        }
    }

    func testWorkspaceBelongsToItsOwnForwardCall() {
        var rng = SeededGenerator(seed: 32)
        let g = PoolGeometry(kind: .max, kernel: [2, 2], strides: [2, 2])
        let a = ConvKernelTests.random([1, 2, 4, 4], &rng), b = ConvKernelTests.random([1, 2, 4, 4], &rng)
        let dy = ConvKernelTests.random([1, 2, 2, 2], &rng)
        let wa = Kernels.pool2dForward(a, geometry: g, training: true).workspace
        _ = Kernels.pool2dForward(b, geometry: g, training: true)   // must not overwrite a's argmax
        let t = Case(n: 1, c: 2, h: 4, w: 4, kh: 2, kw: 2, sh: 2, sw: 2, pads: [0, 0, 0, 0])
        assertClose(Kernels.pool2dBackward(dy, inputShape: a.shape, geometry: g, workspace: wa).floats,
                    Self.reference(t, .max, x: a.floats, dy: dy.floats).dx, "backward of the first call")
    }

    func testInferenceOnIntegerTensors() {
        var rng = SeededGenerator(seed: 34)
        let values = (0..<(2 * 3 * 6 * 6)).map { _ in Int(rng.next() % 256) }
        let q = Tensor(shape: [2, 3, 6, 6], dtype: .u8, integers: values)
        let f = Tensor(shape: [2, 3, 6, 6], floats: values.map(Float.init))
        for kind in PoolKind.allCases {
            let g = PoolGeometry(kind: kind, kernel: [3, 3], strides: [2, 2], paddings: [1, 1, 1, 1])
            let y = Kernels.pool2dForward(q, geometry: g, training: false).output
            let ref = Kernels.pool2dForward(f, geometry: g, training: false).output.floats.map { $0.rounded(.toNearestOrEven) }
            XCTAssertEqual(y.dtype, .u8)
            XCTAssertEqual(y.asFloats, ref, "\(kind)")
        }
    }

    func testPrimitivesAreCachedAcrossCalls() {
        var rng = SeededGenerator(seed: 33)
        let x = ConvKernelTests.random([2, 3, 8, 8], &rng), dy = ConvKernelTests.random([2, 3, 4, 4], &rng)
        func step() {
            for kind in PoolKind.allCases {
                let g = PoolGeometry(kind: kind, kernel: [3, 3], strides: [2, 2], paddings: [1, 1, 0, 0])
                let (_, ws) = Kernels.pool2dForward(x, geometry: g, training: true)
                _ = Kernels.pool2dForward(x, geometry: g, training: false)
                _ = Kernels.pool2dBackward(dy, inputShape: x.shape, geometry: g, workspace: ws)
            }
        }
        step()
        let before = PrimitiveCache.shared.creations
        for _ in 0..<3 { step() }
        XCTAssertEqual(PrimitiveCache.shared.creations, before)
    }
}
