import XCTest
@testable import SlimGraph
import SlimTensor

/// The shared loops of `bilinear_interp` and `pad2d`: pixels in row-major order within each
/// of the N * C planes, `base` the plane's offset in the input.
final class PlaneResamplingTests: XCTestCase {
    func testGatherVisitsEveryPlaneRowAndColumnInOrder() {
        let x = Tensor(shape: [1, 2, 2, 3], floats: (0..<12).map(Float.init))
        let out = PlaneResampling.gather(x, rows: [1, 0, 1], cols: [2, 0]) { src, base, r, c in src[base + r * 3 + c] }
        XCTAssertEqual(out.shape, [1, 2, 3, 2])
        XCTAssertEqual(out.floats, [5, 3, 2, 0, 5, 3, 11, 9, 8, 6, 11, 9])
    }

    func testScatterAddsEachPixelsGradientWhereItsBodyPutsIt() {
        let dOut = Tensor(shape: [2, 1, 2, 2], floats: [1, 2, 3, 4, 10, 20, 30, 40])
        let dx = PlaneResampling.scatter(dOut, into: [2, 1, 1, 3], rows: [0, 0], cols: [2, -1]) { d, base, r, c, g in
            if c >= 0 { d[base + r * 3 + c] += g }
        }
        XCTAssertEqual(dx.shape, [2, 1, 1, 3])
        XCTAssertEqual(dx.floats, [0, 0, 4, 0, 0, 40], "the column -1 adds nothing, both rows add into column 2")
    }
}
