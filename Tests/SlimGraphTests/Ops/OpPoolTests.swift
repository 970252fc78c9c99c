import XCTest
@testable import SlimGraph
import SlimTensor

/// pool2d (max, avg exclusive/inclusive, global, padding, stride 2) against a scalar reference.
final class OpPoolTests: XCTestCase {
    struct Case {
        var n, c, h, w: Int
        var type = "max", k = [2, 2], stride = [2, 2], pad = [0, 0, 0, 0]   // pad: top, bottom, left, right
        var exclusive = true, global = false
        var kernel: [Int] { global ? [h, w] : k }
        var oh: Int { global ? 1 : (h + pad[0] + pad[1] - k[0]) / stride[0] + 1 }
        var ow: Int { global ? 1 : (w + pad[2] + pad[3] - k[1]) / stride[1] + 1 }
    }

    /// Forward and backward of one case: for each output, the in-image window positions.
    static func reference(_ t: Case, x: [Float], dy: [Float]) -> (y: [Float], dx: [Float]) {
        var y = [Float](), dx = [Float](repeating: 0, count: x.count)
        let (s, p) = t.global ? ([1, 1], [0, 0, 0, 0]) : (t.stride, t.pad)
        for nc in 0..<(t.n * t.c) { for oy in 0..<t.oh { for ox in 0..<t.ow {
            var window = [Int]()
            for ky in 0..<t.kernel[0] { for kx in 0..<t.kernel[1] {
                let iy = oy * s[0] - p[0] + ky, ix = ox * s[1] - p[2] + kx
                if iy >= 0 && iy < t.h && ix >= 0 && ix < t.w { window.append((nc * t.h + iy) * t.w + ix) }
            } }
            let g = dy[y.count]
            if t.type == "max" {
                let best = window.max { x[$0] < x[$1] }!
                y.append(x[best])
                dx[best] += g
            } else {
                let divisor = Float(t.exclusive ? window.count : t.kernel[0] * t.kernel[1])
                y.append(window.reduce(Float(0)) { $0 + x[$1] } / divisor)
                for i in window { dx[i] += g / divisor }
            }
        } } }
        return (y, dx)
    }

    func testPool2DMatchesTheReference() throws {
        let cases = [
            Case(n: 2, c: 3, h: 6, w: 6),
            Case(n: 1, c: 2, h: 7, w: 5, k: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1]),
            Case(n: 2, c: 2, h: 5, w: 6, type: "avg", k: [3, 2], stride: [2, 1], pad: [1, 0, 0, 1]),
            Case(n: 2, c: 2, h: 5, w: 5, type: "avg", k: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], exclusive: false),
            Case(n: 3, c: 4, h: 4, w: 3, type: "avg", global: true),
            Case(n: 1, c: 2, h: 3, w: 3, type: "max", global: true),
        ]
        var rng = SeededGenerator(seed: 61)
        for t in cases {
            let x = OpTestValues.random([t.n, t.c, t.h, t.w], &rng), dy = OpTestValues.random([t.n, t.c, t.oh, t.ow], &rng)
            let op = OpDesc(type: "pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["out"]], attrs: [
                "pooling_type": .string(t.type), "ksize": .ints(t.k), "strides": .ints(t.stride), "paddings": .ints(t.pad),
                "global_pooling": .bool(t.global), "exclusive": .bool(t.exclusive),
            ])
            let run = try OpHarness.run(op, values: ["x": x], upstream: ["out": dy])
            let ref = Self.reference(t, x: x.floats, dy: dy.floats)
            assertClose(run.outputs["out"], ref.y, shape: [t.n, t.c, t.oh, t.ow], tol: 1e-5, "\(t) forward")
            assertClose(run.grads["x"], ref.dx, shape: x.shape, tol: 1e-5, "\(t) backward")
            let eval = try OpHarness.run(op, values: ["x": x], mode: .eval)
            assertClose(eval.outputs["out"], ref.y, tol: 1e-5, "\(t) eval forward")
        }
    }

    func testInferShapes() throws {
        func infer(_ attrs: [String: Attribute], _ x: [Int]) throws -> [Int] {
            let shapes = try Pool2DOp.inferShapes(OpDesc(type: "pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["o"]], attrs: attrs), inputs: ["X": [x]])
            return try XCTUnwrap(shapes["Out"]?.first)
        }
        XCTAssertEqual(try infer(["ksize": .ints([2, 2]), "strides": .ints([2, 2])], [-1, 8, 7, 7]), [-1, 8, 3, 3])
        XCTAssertEqual(try infer(["ksize": .ints([3, 3]), "global_pooling": .bool(true), "pooling_type": .string("avg")], [-1, 8, 7, 7]), [-1, 8, 1, 1])
        XCTAssertThrowsError(try infer(["ksize": .ints([9, 9])], [-1, 8, 7, 7]))
        XCTAssertThrowsError(try infer(["ksize": .ints([2])], [-1, 8, 7, 7]))
        XCTAssertThrowsError(try infer(["ksize": .ints([2, 2]), "pooling_type": .string("median")], [-1, 8, 7, 7]))
        XCTAssertThrowsError(try infer(["ksize": .ints([2, 2]), "ceil_mode": .bool(true)], [-1, 8, 7, 7]))
    }
}
