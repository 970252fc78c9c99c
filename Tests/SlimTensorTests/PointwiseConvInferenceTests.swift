import CDNNL
import XCTest
@testable import SlimTensor

/// Inference of pointwise convolutions (1x1, stride 1, no padding, one group). On small maps
/// whose input and output are channels-last (NHWC: oneDNN's choice, or any layer of few rows),
/// `conv2dInference` runs it as the matmul of those bytes ([N·H·W, C] x [C, O]); elsewhere
/// (larger maps, blocked layouts) as the convolution. Either
/// way the result must be the convolution's: checked against a scalar reference with bias, a
/// fused activation and a summed residual, as the batch changes (a new primitive, the filter
/// packed again) and with a plain input.
final class PointwiseConvInferenceTests: XCTestCase {
    struct Case { let n, c, h, w, o: Int }

    static let cases = [
        Case(n: 3, c: 32, h: 2, w: 2, o: 48),   // MobileNetV1's small late maps
        Case(n: 2, c: 64, h: 4, w: 4, o: 16),   // 16 pixels: the convolution
        Case(n: 2, c: 5, h: 3, w: 5, o: 7),     // channels no block divides
    ]

    /// relu(conv1x1(x, w) + b + residual) by loops.
    static func reference(_ x: [Float], _ w: [Float], _ b: [Float], _ residual: [Float]?, _ c: Case, batch: Int) -> [Float] {
        var y = [Float](repeating: 0, count: batch * c.o * c.h * c.w)
        let plane = c.h * c.w
        for n in 0..<batch { for o in 0..<c.o { for p in 0..<plane {
            var sum = b[o]
            for i in 0..<c.c { sum += x[(n * c.c + i) * plane + p] * w[o * c.c + i] }
            let at = (n * c.o + o) * plane + p
            y[at] = max(0, sum + (residual?[at] ?? 0))
        } } }
        return y
    }

    func testPointwiseInferenceMatchesTheReference() {
        var rng = SeededGenerator(seed: 21)
        for c in Self.cases {
            let filter = ConvKernelTests.random([c.o, c.c, 1, 1], &rng), bias = ConvKernelTests.random([c.o], &rng)
            let weights = InferenceWeights()
            weights.hold(filter: filter, bias: bias, madeFrom: [filter, bias])
            for batch in [c.n, 1, c.n] {
                let x = ConvKernelTests.random([batch, c.c, c.h, c.w], &rng)
                for withResidual in [false, true] {
                    let residual = withResidual ? ConvKernelTests.random([batch, c.o, c.h, c.w], &rng) : nil
                    let before = residual?.floats
                    let y = Kernels.conv2dInference(x, weights: weights, geometry: ConvGeometry(), activation: .relu, residual: residual)
                    let expected = Self.reference(x.floats, filter.floats, bias.floats, residual?.floats, c, batch: batch)
                    XCTAssertEqual(y.shape, [batch, c.o, c.h, c.w])
                    let worst = zip(y.floats, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-5, "\(c), batch \(batch), residual \(withResidual)")
                    XCTAssertEqual(residual?.floats, before, "a residual the caller still holds is copied, not summed into")
                }
            }
        }
    }

    /// The rule, read from oneDNN's choice on this host: a layer of at most `channelsLastRows`
    /// output rows (batch x pixels) takes channels-last input and output; a larger one keeps the
    /// layouts the convolution chose. A batch of more than one image on a map under
    /// `pointwiseMatmulPixels` held channels-last runs as a matmul, and its output keeps the layout
    /// the convolution would have given it (the next layer sees no difference); one image keeps the
    /// convolution.
    func testPointwiseRunsAsMatmulExactlyOnSmallChannelsLastMaps() {
        for c in Self.cases {
            for batch in [c.n, 1] {
                let shapes = Kernels.ConvShapes(x: [batch, c.c, c.h, c.w], w: [c.o, c.c, 1, 1], g: ConvGeometry())
                let convolution = Kernels.convForwardPrimitive(shapes, bias: true, training: false, activation: .relu)
                let fast = Kernels.convForwardPrimitive(shapes, bias: true, training: false, activation: .relu, inferenceLayouts: true)
                let fewRows = batch * c.h * c.w <= Kernels.channelsLastRows
                for arg in [DNNL_ARG_SRC, DNNL_ARG_DST] {
                    let nhwc = MemoryDesc(arg == DNNL_ARG_SRC ? shapes.x : shapes.y, .f32, tag: dnnl_acdb)
                    let expected = fewRows ? nhwc : convolution.slots[arg]!.chosen
                    XCTAssertTrue(fast.slots[arg]!.chosen.equals(expected), "\(c), batch \(batch): argument \(arg)")
                }
                let channelsLast = fast.slots[DNNL_ARG_SRC]!.chosen.equals(MemoryDesc(shapes.x, .f32, tag: dnnl_acdb))
                let small = c.h * c.w < Kernels.pointwiseMatmulPixels
                XCTAssertEqual(fast.slots[DNNL_ARG_WEIGHTS]!.chosen.raw.ndims == 2, channelsLast && small && batch > 1, "\(c), batch \(batch)")
            }
        }
    }

    /// relu(conv(x, w) + b) by `ConvKernelTests`' reference loops (square filter, equal strides and
    /// paddings, any groups; NCHW).
    static func referenceConv(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: ConvGeometry) -> [Float] {
        let t = ConvKernelTests.Case(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], o: w.shape[0], k: w.shape[2],
                                     stride: g.strides[0], pad: g.paddings[0], dil: 1, groups: g.groups)
        let ref = ConvKernelTests.Ref(c: t)
        let (xs, ws, bs) = (x.floats, w.floats, b.floats)
        var y = (0..<t.n * t.o * ref.oh * ref.ow).map { bs[($0 / (ref.oh * ref.ow)) % t.o] }
        ref.forEach { xi, wi, yi, _ in y[yi] += xs[xi] * ws[wi] }
        return y.map { max(0, $0) }
    }

    /// The tail of a MobileNetV1 at batch 1 (8x8 -> 4x4 -> 2x2, depthwise and pointwise layers):
    /// every layer of at most 16 output rows (`channelsLastRows`) writes channels-last, the next takes
    /// that output as it is (no reorder between the layers), and the values are the convolutions'
    /// (the loops above), as are those of the same layers at batch 4, which keep oneDNN's choice.
    func testSmallMapsRunChannelsLastWithoutReordersBetweenLayers() throws {
        var rng = SeededGenerator(seed: 5)
        let depthwise = { (channels: Int, stride: Int) in
            (w: [channels, 1, 3, 3], g: ConvGeometry(strides: [stride, stride], paddings: [1, 1], groups: channels))
        }
        let pointwise = { (inputs: Int, outputs: Int) in (w: [outputs, inputs, 1, 1], g: ConvGeometry()) }
        let layers = [depthwise(16, 2), pointwise(16, 24), depthwise(24, 1), pointwise(24, 32), depthwise(32, 2), pointwise(32, 40)]
        let held = layers.map { layer -> (InferenceWeights, Tensor, Tensor, ConvGeometry) in
            let filter = ConvKernelTests.random(layer.w, &rng), bias = ConvKernelTests.random([layer.w[0]], &rng)
            let weights = InferenceWeights()
            weights.hold(filter: filter, bias: bias, madeFrom: [filter, bias])
            return (weights, filter, bias, layer.g)
        }
        for batch in [1, 4, 1] {
            var x = ConvKernelTests.random([batch, 16, 8, 8], &rng)
            for (index, (weights, filter, bias, g)) in held.enumerated() {
                let expected = Self.referenceConv(x.plain(), filter, bias, g)
                let y = Kernels.conv2dInference(x, weights: weights, geometry: g, activation: .relu)
                let call = try XCTUnwrap(weights.lastCall)
                // 16 rows: a 4x4 map at batch 1, a 2x2 map at batch 4.
                if y.shape[0] * y.shape[2] * y.shape[3] <= 16 {
                    XCTAssertTrue(try XCTUnwrap(y.layout, "layer \(index)").desc.equals(MemoryDesc(y.shape, .f32, tag: dnnl_acdb)),
                                  "batch \(batch), layer \(index): written channels-last")
                    if index > 0, x.shape[0] * x.shape[2] * x.shape[3] <= 16 {
                        XCTAssertTrue(call.source.accepts(x.layout), "batch \(batch), layer \(index): takes the last output as it is")
                    }
                }
                let worst = zip(y.floats, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, "batch \(batch), layer \(index)")
                x = y
            }
        }
    }

    /// A channel-blocked activation reaching a layer that runs channels-last (a 4x4 map at batch 1
    /// after an 8x8 one) is reordered once, straight into the layer's layout: no plain copy of it is
    /// made on the way. Checked for 8- and 16-channel blocks (oneDNN's on AVX2 and on AVX-512 hosts).
    func testBlockedInputReachesAChannelsLastLayerInOneReorder() throws {
        var rng = SeededGenerator(seed: 9)
        let g = ConvGeometry(strides: [2, 2], paddings: [1, 1], groups: 16)
        let filter = ConvKernelTests.random([16, 1, 3, 3], &rng), bias = ConvKernelTests.random([16], &rng)
        let weights = InferenceWeights()
        weights.hold(filter: filter, bias: bias, madeFrom: [filter, bias])
        let plain = ConvKernelTests.random([1, 16, 8, 8], &rng)
        let expected = Self.referenceConv(plain, filter, bias, g)
        for (name, tag) in [("nChw8c", dnnl_aBcd8b), ("nChw16c", dnnl_aBcd16b)] {
            let x = Kernels.converted(plain, to: TensorLayout.make(MemoryDesc(plain.shape, .f32, tag: tag)))
            let copies = ReorderClock.reading.reorders
            let y = Kernels.conv2dInference(x, weights: weights, geometry: g, activation: .relu)
            XCTAssertEqual(ReorderClock.reading.reorders, copies, "\(name): the blocked input was made plain on the way")
            let call = try XCTUnwrap(weights.lastCall)
            XCTAssertFalse(call.source.accepts(x.layout), "\(name): the layer takes another layout than its input's")
            XCTAssertTrue(try XCTUnwrap(y.layout).desc.equals(MemoryDesc(y.shape, .f32, tag: dnnl_acdb)), "16 rows: channels-last")
            let worst = zip(y.floats, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5, name)
        }
    }
}
