import XCTest
@testable import SlimGraph
import SlimTensor

/// conv2d / depthwise_conv2d through a Program and an Executor against a naive scalar reference.
final class OpConvTests: XCTestCase {
    struct Case {
        var n, c, h, w, o, kh, kw: Int
        var stride = [1, 1], paddings = [0, 0], dilation = [1, 1], groups = 1
        var type = "conv2d"
        /// Paddings as [top, bottom, left, right].
        var tblr: [Int] { paddings.count == 2 ? [paddings[0], paddings[0], paddings[1], paddings[1]] : paddings }
        var oh: Int { (h + tblr[0] + tblr[1] - dilation[0] * (kh - 1) - 1) / stride[0] + 1 }
        var ow: Int { (w + tblr[2] + tblr[3] - dilation[1] * (kw - 1) - 1) / stride[1] + 1 }
    }

    /// Visits every (input index, filter index, output index) product of the convolution.
    static func visit(_ t: Case, _ body: (Int, Int, Int) -> Void) {
        let cpg = t.c / t.groups, opg = t.o / t.groups
        for n in 0..<t.n { for o in 0..<t.o { for oy in 0..<t.oh { for ox in 0..<t.ow {
            for ci in 0..<cpg { for ky in 0..<t.kh { for kx in 0..<t.kw {
                let iy = oy * t.stride[0] - t.tblr[0] + ky * t.dilation[0], ix = ox * t.stride[1] - t.tblr[2] + kx * t.dilation[1]
                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                let xi = ((n * t.c + (o / opg) * cpg + ci) * t.h + iy) * t.w + ix
                let wi = ((o * cpg + ci) * t.kh + ky) * t.kw + kx
                body(xi, wi, ((n * t.o + o) * t.oh + oy) * t.ow + ox)
            } } }
        } } } }
    }

    func check(_ t: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random([t.n, t.c, t.h, t.w], &rng), w = OpTestValues.random([t.o, t.c / t.groups, t.kh, t.kw], &rng)
        let dy = OpTestValues.random([t.n, t.o, t.oh, t.ow], &rng)
        let op = OpDesc(type: t.type, inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]],
                        attrs: ["strides": .ints(t.stride), "paddings": .ints(t.paddings), "dilations": .ints(t.dilation), "groups": .int(t.groups)])
        let run = try OpHarness.run(op, values: ["x": x, "w": w], upstream: ["y": dy], file: file, line: line)
        let xs = x.floats, ws = w.floats, dys = dy.floats
        var y = [Float](repeating: 0, count: dy.count), dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
        Self.visit(t) { xi, wi, yi in
            y[yi] += xs[xi] * ws[wi]
            dx[xi] += dys[yi] * ws[wi]
            dw[wi] += dys[yi] * xs[xi]
        }
        assertClose(run.outputs["y"], y, shape: [t.n, t.o, t.oh, t.ow], "\(t) forward", file: file, line: line)
        assertClose(run.grads["x"], dx, shape: x.shape, "\(t) dInput", file: file, line: line)
        assertClose(run.grads["w"], dw, shape: w.shape, "\(t) dFilter", file: file, line: line)
    }

    func testConv2DMatchesTheReference() throws {
        let cases = [
            Case(n: 2, c: 3, h: 7, w: 6, o: 4, kh: 3, kw: 3, paddings: [1, 1]),
            Case(n: 1, c: 4, h: 9, w: 8, o: 6, kh: 3, kw: 3, stride: [2, 2], paddings: [1, 1], groups: 2),
            Case(n: 3, c: 2, h: 6, w: 7, o: 3, kh: 2, kw: 3, stride: [2, 1], paddings: [0, 1, 2, 1]),  // asymmetric
            Case(n: 1, c: 2, h: 8, w: 8, o: 2, kh: 3, kw: 3, paddings: [2, 2], dilation: [2, 2]),
            Case(n: 2, c: 6, h: 5, w: 5, o: 3, kh: 1, kw: 1, stride: [2, 2], groups: 3),
        ]
        for (i, t) in cases.enumerated() { try check(t, seed: UInt64(i + 1)) }
    }

    func testDepthwiseConv2DMatchesTheReference() throws {
        try check(Case(n: 2, c: 4, h: 6, w: 6, o: 4, kh: 3, kw: 3, stride: [2, 2], paddings: [1, 1], groups: 4, type: "depthwise_conv2d"), seed: 7)
        try check(Case(n: 1, c: 3, h: 5, w: 5, o: 6, kh: 3, kw: 3, paddings: [1, 1], groups: 3, type: "depthwise_conv2d"), seed: 8)
    }

    func testInferShapesKeepsTheBatchAndRejectsBadChannels() throws {
        let op = OpDesc(type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]],
                        attrs: ["strides": .ints([2, 2]), "paddings": .ints([1, 1])])
        XCTAssertEqual(try Conv2DOp.inferShapes(op, inputs: ["Input": [[-1, 3, 32, 32]], "Filter": [[8, 3, 3, 3]]])["Output"], [[-1, 8, 16, 16]])
        XCTAssertThrowsError(try Conv2DOp.inferShapes(op, inputs: ["Input": [[-1, 4, 32, 32]], "Filter": [[8, 3, 3, 3]]]))
        XCTAssertThrowsError(try Conv2DOp.inferShapes(op, inputs: ["Input": [[-1, 3, 32]], "Filter": [[8, 3, 3, 3]]]))
        XCTAssertThrowsError(try Conv2DOp.inferShapes(op, inputs: ["Input": [[-1, 3, 1, 1]], "Filter": [[8, 3, 5, 5]]]))
        var grouped = op
        grouped.attrs["groups"] = .int(3)
        XCTAssertThrowsError(try Conv2DOp.inferShapes(grouped, inputs: ["Input": [[-1, 6, 8, 8]], "Filter": [[8, 2, 3, 3]]]))  // 8 % 3
        var depthwise = op
        depthwise.type = "depthwise_conv2d"
        XCTAssertThrowsError(try DepthwiseConv2DOp.inferShapes(depthwise, inputs: ["Input": [[-1, 3, 8, 8]], "Filter": [[3, 1, 3, 3]]]))
        depthwise.attrs["paddings"] = .ints([1, 2, 3])
        XCTAssertThrowsError(try Conv2DOp.inferShapes(depthwise, inputs: ["Input": [[-1, 3, 8, 8]], "Filter": [[3, 3, 3, 3]]]))
    }

    func testAFedBatchOfOneRunsThroughTheExecutor() throws {
        var rng = SeededGenerator(seed: 3)
        let x = OpTestValues.random([1, 2, 5, 5], &rng), w = OpTestValues.random([3, 2, 3, 3], &rng)
        let op = OpDesc(type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]], attrs: ["paddings": .ints([1, 1])])
        let run = try OpHarness.run(op, values: ["x": x, "w": w], feeds: ["x"], upstream: ["y": Tensor.filled(1, shape: [1, 3, 5, 5])])
        XCTAssertEqual(run.outputs["y"]?.shape, [1, 3, 5, 5])
        XCTAssertEqual(run.grads["w"]?.shape, [3, 2, 3, 3])
        XCTAssertNil(run.grads["x"], "a feed is not trainable")
    }
}
