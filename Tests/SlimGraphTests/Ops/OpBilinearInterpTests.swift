import XCTest
@testable import SlimGraph
import SlimTensor

/// bilinear_interp against a Double reference of Paddle's formulas (align_corners, half-pixel
/// align_mode 0, asymmetric align_mode 1; up and down), a hand-computed 2x upsample, and the
/// backward as the transpose of the (linear) forward.
final class OpBilinearInterpTests: XCTestCase {
    /// Paddle 1.6's bilinear_interp on one plane, in Double.
    static func reference(_ x: [Float], h: Int, w: Int, oh: Int, ow: Int, align: Bool, mode: Int) -> [Double] {
        func coordinate(_ k: Int, _ n: Int, _ out: Int) -> (Int, Int, Double) {
            let ratio = align ? (out > 1 ? Double(n - 1) / Double(out - 1) : 0) : Double(n) / Double(out)
            let src = !align && mode == 0 ? max(ratio * (Double(k) + 0.5) - 0.5, 0) : ratio * Double(k)
            let i0 = min(Int(src.rounded(.down)), n - 1)
            return (i0, min(i0 + 1, n - 1), src - Double(i0))
        }
        var out: [Double] = []
        for k in 0..<oh {
            let (r0, r1, a) = coordinate(k, h, oh)
            for l in 0..<ow {
                let (c0, c1, b) = coordinate(l, w, ow)
                let v = { (r: Int, c: Int) in Double(x[r * w + c]) }
                out.append((1 - a) * ((1 - b) * v(r0, c0) + b * v(r0, c1)) + a * ((1 - b) * v(r1, c0) + b * v(r1, c1)))
            }
        }
        return out
    }

    func check(h: Int, w: Int, oh: Int, ow: Int, align: Bool, mode: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random([2, 3, h, w], &rng), dOut = OpTestValues.random([2, 3, oh, ow], &rng)
        let op = OpDesc(type: "bilinear_interp", inputs: ["X": ["x"]], outputs: ["Out": ["out"]],
                        attrs: ["out_h": .int(oh), "out_w": .int(ow), "align_corners": .bool(align), "align_mode": .int(mode)])
        let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
        let xs = x.floats, plane = h * w, outPlane = oh * ow
        var expected: [Float] = [], dx = [Float](repeating: 0, count: xs.count)
        for p in 0..<6 {
            expected += Self.reference(Array(xs[(p * plane)..<((p + 1) * plane)]), h: h, w: w, oh: oh, ow: ow, align: align, mode: mode).map { Float($0) }
            for i in 0..<plane {   // d out / d x_i is the forward of the basis vector e_i
                var e = [Float](repeating: 0, count: plane)
                e[i] = 1
                let column = Self.reference(e, h: h, w: w, oh: oh, ow: ow, align: align, mode: mode)
                dx[p * plane + i] = Float((0..<outPlane).reduce(0.0) { $0 + column[$1] * Double(dOut.floats[p * outPlane + $1]) })
            }
        }
        let what = "bilinear \(h)x\(w) -> \(oh)x\(ow) align_corners \(align) align_mode \(mode)"
        assertClose(run.outputs["out"], expected, shape: [2, 3, oh, ow], tol: 1e-5, what)
        assertClose(run.grads["x"], dx, shape: x.shape, tol: 1e-5, "\(what) backward")
    }

    func testPaddleModesUpAndDown() throws {
        for (i, (align, mode)) in [(true, 1), (false, 0), (false, 1)].enumerated() {
            try check(h: 3, w: 4, oh: 7, ow: 8, align: align, mode: mode, seed: UInt64(70 + i))
            try check(h: 6, w: 5, oh: 4, ow: 2, align: align, mode: mode, seed: UInt64(80 + i))
            try check(h: 2, w: 3, oh: 1, ow: 3, align: align, mode: mode, seed: UInt64(90 + i))
        }
    }

    func testHalfPixelTwiceUpsampleByHand() throws {
        let x = Tensor(shape: [1, 1, 1, 2], floats: [0, 4])
        let op = OpDesc(type: "bilinear_interp", inputs: ["X": ["x"]], outputs: ["Out": ["out"]],
                        attrs: ["scale": .float(2), "align_corners": .bool(false), "align_mode": .int(0)])
        let run = try OpHarness.run(op, values: ["x": x], mode: .eval)
        // source columns: max(-0.25, 0) = 0, 0.25, 0.75, 1.25 (clamped to the last pixel)
        assertClose(run.outputs["out"], [0, 1, 3, 4, 0, 1, 3, 4], shape: [1, 1, 2, 4], "half-pixel 2x")
    }
}
