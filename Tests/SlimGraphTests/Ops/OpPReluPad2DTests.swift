import XCTest
@testable import SlimGraph
import SlimTensor

/// prelu (all, channel, element) and pad2d (constant, reflect, edge) against scalar references,
/// forward and backward.
final class OpPReluPad2DTests: XCTestCase {
    func testPReluModes() throws {
        let shape = [2, 3, 4, 5]
        for (mode, alphaShape) in [("all", [1]), ("channel", [3]), ("element", [1, 3, 4, 5])] {
            var rng = SeededGenerator(seed: 101)
            let x = OpTestValues.random(shape, &rng, -2, 2), dOut = OpTestValues.random(shape, &rng)
            let alpha = OpTestValues.random(alphaShape, &rng)
            let op = OpDesc(type: "prelu", inputs: ["X": ["x"], "Alpha": ["a"]], outputs: ["Out": ["out"]], attrs: ["mode": .string(mode)])
            let run = try OpHarness.run(op, values: ["x": x, "a": alpha], upstream: ["out": dOut])
            let index = { (i: Int) in mode == "all" ? 0 : mode == "channel" ? (i / 20) % 3 : i % 60 }
            let xs = x.floats, a = alpha.floats, g = dOut.floats
            var dAlpha = [Float](repeating: 0, count: a.count)
            for i in xs.indices where xs[i] < 0 { dAlpha[index(i)] += g[i] * xs[i] }
            assertClose(run.outputs["out"], xs.indices.map { xs[$0] > 0 ? xs[$0] : a[index($0)] * xs[$0] }, shape: shape, "prelu \(mode)")
            assertClose(run.grads["x"], xs.indices.map { g[$0] * (xs[$0] > 0 ? 1 : a[index($0)]) }, shape: shape, "prelu \(mode) dX")
            assertClose(run.grads["a"], dAlpha, shape: alphaShape, tol: 1e-3, "prelu \(mode) dAlpha")
        }
        let bad = OpDesc(type: "prelu", inputs: ["X": ["x"], "Alpha": ["a"]], outputs: ["Out": ["out"]], attrs: ["mode": .string("channel")])
        XCTAssertThrowsError(try PReluOp.inferShapes(bad, inputs: ["X": [[-1, 3, 4, 5]], "Alpha": [[4]]]))
    }

    /// The input index (or nil for the pad value) of output coordinate `i` along an axis of `n`.
    static func source(_ i: Int, _ n: Int, _ mode: String) -> Int? {
        if i >= 0 && i < n { return i }
        switch mode {
        case "reflect": return i < 0 ? -i : 2 * n - 2 - i
        case "edge": return min(max(i, 0), n - 1)
        default: return nil
        }
    }

    func testPad2DModes() throws {
        let shape = [2, 3, 4, 5], p = [2, 1, 3, 2]   // top, bottom, left, right
        for mode in ["constant", "reflect", "edge"] {
            var rng = SeededGenerator(seed: 111)
            let x = OpTestValues.random(shape, &rng)
            let outShape = [2, 3, 4 + p[0] + p[1], 5 + p[2] + p[3]], dOut = OpTestValues.random(outShape, &rng)
            let op = OpDesc(type: "pad2d", inputs: ["X": ["x"]], outputs: ["Out": ["out"]],
                            attrs: ["paddings": .ints(p), "mode": .string(mode), "pad_value": .float(0.25)])
            let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut])
            let xs = x.floats, g = dOut.floats
            var out: [Float] = [], dx = [Float](repeating: 0, count: xs.count)
            for plane in 0..<6 { for r in 0..<outShape[2] { for c in 0..<outShape[3] {
                guard let sr = Self.source(r - p[0], 4, mode), let sc = Self.source(c - p[2], 5, mode) else { out.append(0.25); continue }
                out.append(xs[plane * 20 + sr * 5 + sc])
                dx[plane * 20 + sr * 5 + sc] += g[out.count - 1]
            } } }
            assertClose(run.outputs["out"], out, shape: outShape, "pad2d \(mode)")
            assertClose(run.grads["x"], dx, shape: shape, "pad2d \(mode) backward")
        }
        let op = OpDesc(type: "pad2d", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: ["paddings": .ints([4, 0, 0, 0]), "mode": .string("reflect")])
        XCTAssertThrowsError(try Pad2DOp.inferShapes(op, inputs: ["X": [[-1, 3, 4, 5]]]))
    }
}
