import XCTest
@testable import SlimGraph
import SlimTensor

/// conv2d_transpose (forward, dInput, dFilter) against a scalar scatter reference, over strides,
/// paddings, output_padding, dilations and groups.
final class OpConv2DTransposeTests: XCTestCase {
    struct Geometry { var stride: [Int], pads: [Int], dilation: [Int], groups: Int, extra: [Int] }   // pads: top, bottom, left, right

    /// out[n, g*Og + o, i*s - top + kh*d, j*s - left + kw*d] += x[n, c, i, j] * w[c, o, kh, kw].
    static func reference(x: Tensor, w: Tensor, dOut: [Float]?, _ g: Geometry) -> (out: [Float], shape: [Int], dx: [Float], dw: [Float]) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), (og, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let o = og * g.groups, cg = c / g.groups
        let oh = (h - 1) * g.stride[0] - g.pads[0] - g.pads[1] + g.dilation[0] * (kh - 1) + 1 + g.extra[0]
        let ow = (wd - 1) * g.stride[1] - g.pads[2] - g.pads[3] + g.dilation[1] * (kw - 1) + 1 + g.extra[1]
        let xs = x.floats, ws = w.floats
        var out = [Float](repeating: 0, count: n * o * oh * ow), dx = [Float](repeating: 0, count: xs.count), dw = [Float](repeating: 0, count: ws.count)
        for b in 0..<n { for ci in 0..<c { for i in 0..<h { for j in 0..<wd { for oo in 0..<og { for p in 0..<kh { for q in 0..<kw {
            let y = i * g.stride[0] - g.pads[0] + p * g.dilation[0], z = j * g.stride[1] - g.pads[2] + q * g.dilation[1]
            guard y >= 0, y < oh, z >= 0, z < ow else { continue }
            let oc = (ci / cg) * og + oo
            let xi = ((b * c + ci) * h + i) * wd + j, wi = ((ci * og + oo) * kh + p) * kw + q, yi = ((b * o + oc) * oh + y) * ow + z
            out[yi] += xs[xi] * ws[wi]
            if let dOut {
                dx[xi] += dOut[yi] * ws[wi]
                dw[wi] += dOut[yi] * xs[xi]
            }
        } } } } } } }
        return (out, [n, o, oh, ow], dx, dw)
    }

    func check(x xShape: [Int], w wShape: [Int], _ g: Geometry, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random(xShape, &rng), w = OpTestValues.random(wShape, &rng)
        let shape = Self.reference(x: x, w: w, dOut: nil, g).shape
        let dOut = OpTestValues.random(shape, &rng)
        let ref = Self.reference(x: x, w: w, dOut: dOut.floats, g)
        var attrs: [String: Attribute] = ["strides": .ints(g.stride), "paddings": .ints(g.pads), "dilations": .ints(g.dilation), "groups": .int(g.groups)]
        if g.extra != [0, 0] { attrs["output_padding"] = .ints(g.extra) }
        let op = OpDesc(type: "conv2d_transpose", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]], attrs: attrs)
        XCTAssertEqual(try Conv2DTransposeOp.inferShapes(op, inputs: ["Input": [[-1] + xShape.dropFirst()], "Filter": [wShape]])["Output"],
                       [[-1] + shape.dropFirst()])
        let run = try OpHarness.run(op, values: ["x": x, "w": w], upstream: ["y": dOut])
        let what = "conv2d_transpose x \(xShape) w \(wShape) \(g)"
        assertClose(run.outputs["y"], ref.out, shape: shape, what)
        assertClose(run.grads["x"], ref.dx, shape: xShape, "\(what) dInput")
        assertClose(run.grads["w"], ref.dw, shape: wShape, tol: 1e-3, "\(what) dFilter")
    }

    func testAgainstTheScatterReference() throws {
        try check(x: [2, 4, 5, 6], w: [4, 3, 2, 2], Geometry(stride: [2, 2], pads: [0, 0, 0, 0], dilation: [1, 1], groups: 1, extra: [0, 0]), seed: 1)
        try check(x: [2, 4, 5, 6], w: [4, 3, 3, 3], Geometry(stride: [2, 2], pads: [1, 1, 0, 1], dilation: [1, 1], groups: 1, extra: [1, 0]), seed: 2)
        try check(x: [1, 4, 5, 6], w: [4, 3, 3, 3], Geometry(stride: [1, 1], pads: [1, 1, 1, 1], dilation: [2, 1], groups: 2, extra: [0, 0]), seed: 3)
        try check(x: [2, 3, 4, 4], w: [3, 1, 3, 3], Geometry(stride: [3, 2], pads: [0, 2, 1, 0], dilation: [1, 1], groups: 3, extra: [2, 1]), seed: 4)
    }

    func testOutputPaddingMustStayBelowTheStride() {
        let op = OpDesc(type: "conv2d_transpose", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]],
                        attrs: ["strides": .ints([2, 2]), "output_padding": .ints([2, 0])])
        XCTAssertThrowsError(try Conv2DTransposeOp.inferShapes(op, inputs: ["Input": [[-1, 4, 5, 5]], "Filter": [[4, 3, 3, 3]]]))
    }
}
