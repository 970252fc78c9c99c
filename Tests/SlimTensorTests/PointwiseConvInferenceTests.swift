import CDNNL
import XCTest
@testable import SlimTensor

/// Inference of pointwise convolutions (1x1, stride 1, no padding, one group). On small maps
/// whose input and output oneDNN keeps channels-last (NHWC), `conv2dInference` runs it as the
/// matmul of those bytes ([N·H·W, C] x [C, O]); elsewhere (larger maps, blocked layouts) as the
/// convolution. Either
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

    /// The rule, read from oneDNN's choice on this host: a map under `pointwiseMatmulPixels` and
    /// the convolution primitive's input and output layouts decide whether the layer runs as a
    /// matmul, and its output keeps the layout the convolution would have given it (the next layer
    /// sees no difference).
    func testPointwiseRunsAsMatmulExactlyOnSmallChannelsLastMaps() {
        for c in Self.cases {
            let shapes = Kernels.ConvShapes(x: [c.n, c.c, c.h, c.w], w: [c.o, c.c, 1, 1], g: ConvGeometry())
            let convolution = Kernels.convForwardPrimitive(shapes, bias: true, training: false, activation: .relu)
            let fast = Kernels.convForwardPrimitive(shapes, bias: true, training: false, activation: .relu, pointwiseAsMatmul: true)
            let channelsLast = [DNNL_ARG_SRC, DNNL_ARG_DST].allSatisfy { arg in
                convolution.slots[arg]!.chosen.equals(MemoryDesc(arg == DNNL_ARG_SRC ? shapes.x : shapes.y, .f32, tag: dnnl_acdb))
            }
            let small = c.h * c.w < Kernels.pointwiseMatmulPixels
            XCTAssertEqual(fast.slots[DNNL_ARG_WEIGHTS]!.chosen.raw.ndims == 2, channelsLast && small, "\(c)")
            for arg in [DNNL_ARG_SRC, DNNL_ARG_DST] {
                XCTAssertTrue(fast.slots[arg]!.chosen.equals(convolution.slots[arg]!.chosen), "\(c): argument \(arg) keeps its layout")
            }
        }
    }
}
