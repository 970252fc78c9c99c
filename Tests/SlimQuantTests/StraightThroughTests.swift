@testable import SlimGraph
import SlimQuant
@testable import SlimTensor
import XCTest

/// The straight-through gradient without a new buffer: masked over the incoming gradient when the
/// quantizer holds it alone, passed on unchanged when the scale is `max |x|` of finite values;
/// bit for bit the gradient `dOut where |x| <= s, else 0` in every case.
final class StraightThroughTests: XCTestCase {
    typealias Reference = FakeQuantKernelTests.Reference

    func assertBitIdentical(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where x.bitPattern != y.bitPattern && !(x.isNaN && y.isNaN) {
            XCTFail("\(what): element \(i): \(x) (\(x.bitPattern)) vs \(y) (\(y.bitPattern))", file: file, line: line)
            return
        }
    }

    /// Inputs at 0 (both signs), exactly at the scale and its negative, just above and below it,
    /// far above, negative, NaN and infinities; gradients with NaN, -0 and infinities.
    func values(count: Int, scale s: Float, seed: UInt64) -> (x: [Float], grad: [Float]) {
        var g = SeededGenerator(seed: seed)
        let special: [Float] = [0, -0.0, s, -s, s.nextUp, s.nextDown, -s.nextUp, 3 * s, -0.25, .nan, .infinity, -.infinity]
        let x = (0..<count).map { i in i % 3 == 0 ? special[(i / 3) % special.count] : Float.random(in: -2...2, using: &g) }
        let gradSpecial: [Float] = [.nan, -0.0, .infinity, -.infinity, 1e-40]
        let grad = (0..<count).map { i in i % 7 == 0 ? gradSpecial[(i / 7) % gradSpecial.count] : Float.random(in: -1...1, using: &g) }
        return (x, grad)
    }

    func testMaskWrittenOverTheGradientMatchesTheScalarFormula() {
        for count in [1, 15, 16, 17, 100, 1001] {
            for s: Float in [0.9, 0, -1, .nan, .infinity, 1e-45] {
                let (x, grad) = values(count: count, scale: s, seed: UInt64(count))
                var g = Tensor(shape: [count], floats: grad)
                let bytes = g.storage.pointer
                FakeQuant.applyStraightThrough(&g, input: Tensor(shape: [count], floats: x), scales: [s])
                XCTAssertEqual(g.storage.pointer, bytes, "written over the gradient, count \(count) scale \(s)")
                assertBitIdentical(g.floats, Reference.straightThrough(grad, x, scales: [s]), "count \(count) scale \(s)")
            }
        }
    }

    func testSharedGradientGetsANewTensorAndStaysUnchanged() {
        let (x, grad) = values(count: 100, scale: 0.5, seed: 1)
        var g = Tensor(shape: [100], floats: grad)
        let other = g
        FakeQuant.applyStraightThrough(&g, input: Tensor(shape: [100], floats: x), scales: [0.5])
        XCTAssertNotEqual(g.storage.pointer, other.storage.pointer)
        assertBitIdentical(other.floats, grad, "the other holder's gradient")
        assertBitIdentical(g.floats, Reference.straightThrough(grad, x, scales: [0.5]), "masked")
    }

    func testMaskOverThreadsMatchesTheScalarFormula() {
        let previous = Kernels.threads ?? 1
        Kernels.setThreads(2)
        defer { Kernels.setThreads(previous) }
        let count = 3 * (1 << 15) + 5
        let (x, grad) = values(count: count, scale: 0.8, seed: 9)
        var g = Tensor(shape: [count], floats: grad)
        FakeQuant.applyStraightThrough(&g, input: Tensor(shape: [count], floats: x), scales: [0.8])
        assertBitIdentical(g.floats, Reference.straightThrough(grad, x, scales: [0.8]), "over threads")
        var finite = x.map { $0.isFinite ? $0 : 1 }
        let checked = FakeQuant.absMaxCheckingFinite(Tensor(shape: [count], floats: finite))
        XCTAssertEqual(checked.max.bitPattern, Reference.absMax(finite).bitPattern)
        XCTAssertTrue(checked.finite)
        finite[count - 3] = .nan  // in the last chunk only
        XCTAssertFalse(FakeQuant.absMaxCheckingFinite(Tensor(shape: [count], floats: finite)).finite)
    }

    /// The fact that lets weight quantizers skip the mask: with `s = max |x|` over finite values
    /// (the per-tensor and per-channel abs max), `dOut where |x| <= s` is `dOut`, bit for bit.
    func testMaskOfTheAbsMaxOfFiniteValuesIsAllOnes() {
        for count in [0, 1, 16, 17, 999] {
            var (x, grad) = values(count: count, scale: 0.7, seed: UInt64(count) + 50)
            x = x.map { $0.isFinite ? $0 : -1.5 }
            for t in [x, x.map { _ in Float(0) }, x.map { $0 == 0 ? -0.0 : $0 * 1e-40 }] {
                let checked = FakeQuant.absMaxCheckingFinite(Tensor(shape: [count], floats: t))
                XCTAssertTrue(checked.finite)
                XCTAssertEqual(checked.max.bitPattern, FakeQuant.absMax(Tensor(shape: [count], floats: t)).bitPattern)
                assertBitIdentical(Reference.straightThrough(grad, t, scales: [checked.max]), grad, "all ones, count \(count)")
            }
        }
        for bad: Float in [.nan, .infinity, -.infinity] {
            var x = values(count: 40, scale: 0.7, seed: 3).x.map { $0.isFinite ? $0 : 0 }
            for i in [0, 20, 39] {
                x[i] = bad
                XCTAssertFalse(FakeQuant.absMaxCheckingFinite(Tensor(shape: [40], floats: x)).finite, "\(bad) at \(i)")
                x[i] = 0
            }
        }
        let channels = 4, block = 33
        var w = values(count: channels * block, scale: 0.3, seed: 4).x.map { $0.isFinite ? $0 : 0.1 }
        for i in 0..<block { w[2 * block + i] = 0 }  // an all-zero channel: the guarded scale passes it too
        let tensor = Tensor(shape: [channels, 3, 11], floats: w)
        let checked = FakeQuant.channelAbsMaxCheckingFinite(tensor, channels: channels)
        XCTAssertEqual(checked.scales, FakeQuant.channelAbsMax(tensor, channels: channels))
        XCTAssertTrue(checked.finite)
        let grad = values(count: channels * block, scale: 1, seed: 5).grad
        assertBitIdentical(Reference.straightThrough(grad, w, scales: checked.scales), grad, "per-channel all ones")
        w[block + 5] = .nan
        XCTAssertFalse(FakeQuant.channelAbsMaxCheckingFinite(Tensor(shape: [channels, 3, 11], floats: w), channels: channels).finite)
    }

    /// One quantizer's forward and backward in an op context, `dOut` (made from `grad`) held by
    /// the op alone or also by the returned `dOut`; `bytes` is where `dOut`'s elements lie.
    func backward(_ type: String, x: Tensor, grad: [Float], state: [String: Tensor] = [:],
                  shared: Bool) throws -> (dX: Tensor, dOut: Tensor?, bytes: UnsafeMutableRawPointer) {
        SlimQuant.registerOps()
        var inputs = ["X": ["x"]], outputs = ["Out": ["out"], "OutScale": ["scale"]]
        for name in state.keys.sorted() { inputs[name] = [name]; outputs[name.replacingOccurrences(of: "In", with: "Out")] = [name] }
        let op = OpDesc(type: type, inputs: inputs, outputs: outputs)
        let context = OpContext(op: op, mode: .train, generator: GeneratorBox(SeededGenerator(seed: 1)))
        context.values["x"] = x
        for (name, value) in state { context.values[name] = value }
        let implementation = try OpRegistry.shared.op(type)
        try implementation.forward(context)
        context.outputGrads["out"] = Tensor(shape: x.shape, floats: grad)
        let bytes = try XCTUnwrap(context.outputGrads["out"]?.storage.pointer)
        let held = shared ? context.outputGrads["out"] : nil
        context.wantsGrad = ["x"]
        try implementation.backward(context)
        return (try XCTUnwrap(context.inputGrads["x"]), held, bytes)
    }

    func testActivationQuantizerMasksTheGradientItHoldsAlone() throws {
        let (xs, gs) = values(count: 64, scale: 0.6, seed: 7)
        let x = Tensor(shape: [4, 16], floats: xs.map { max($0, 0) })  // a relu's output
        let state = ["InScale": floats([0.001], [1]), "InAccum": floats([1], [1]), "InState": floats([1], [1])]
        let type = "fake_quantize_dequantize_moving_average_abs_max"
        let s = (0.9 + FakeQuant.absMax(x)) / 1.9
        let expected = Reference.straightThrough(gs, x.floats, scales: [s])
        XCTAssertTrue(expected.contains(0) && expected.contains { $0 != 0 }, "some masked, some passed")
        let alone = try backward(type, x: x, grad: gs, state: state, shared: false)
        XCTAssertEqual(alone.dX.storage.pointer, alone.bytes, "masked over the gradient")
        assertBitIdentical(alone.dX.floats, expected, "dX, gradient held alone")
        let shared = try backward(type, x: x, grad: gs, state: state, shared: true)
        XCTAssertNotEqual(shared.dX.storage.pointer, shared.bytes, "a new tensor")
        assertBitIdentical(shared.dX.floats, expected, "dX, gradient shared")
        assertBitIdentical(try XCTUnwrap(shared.dOut).floats, gs, "the other holder's gradient unchanged")
    }

    func testWeightQuantizersPassTheGradientOnUnlessAWeightIsNotFinite() throws {
        let (ws, gs) = values(count: 6 * 12, scale: 0.4, seed: 8)
        let finite = ws.map { $0.isFinite ? $0 : 0.2 }
        for type in ["fake_channel_wise_quantize_dequantize_abs_max", "fake_quantize_dequantize_abs_max", "fake_quantize_abs_max"] {
            let passed = try backward(type, x: Tensor(shape: [6, 12], floats: finite), grad: gs, shared: true)
            XCTAssertEqual(passed.dX.storage.pointer, passed.bytes, "\(type): dOut passed on")
            assertBitIdentical(passed.dX.floats, gs, "\(type): dOut unchanged")
            for bad: Float in [.nan, .infinity] {
                var w = finite
                w[13] = bad
                let t = Tensor(shape: [6, 12], floats: w)
                let masked = try backward(type, x: t, grad: gs, shared: false)
                let scales = type.contains("channel_wise") ? FakeQuant.channelAbsMax(t, channels: 6) : [FakeQuant.absMax(t)]
                let expected = Reference.straightThrough(gs, w, scales: scales)
                XCTAssertNotEqual(expected.map(\.bitPattern), gs.map(\.bitPattern), "\(type) with \(bad): some gradient masked")
                assertBitIdentical(masked.dX.floats, expected, "\(type) with \(bad)")
            }
        }
    }

    /// MobileNetV1's chain: conv -> batch norm + relu -> quantize-dequantize -> conv. The gradient
    /// the second convolution's backward-data gives and the batch norm's output are held in the
    /// same layout, so the mask is written over the gradient (no new buffer, no reorder).
    func testMobileNetChainMasksTheConvolutionGradientInItsOwnBytes() {
        var rng = SeededGenerator(seed: 12)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
        }
        let geometry = ConvGeometry(paddings: [1, 1, 1, 1])
        let conv = Kernels.conv2dForward(random([2, 8, 6, 6]), filter: random([16, 8, 3, 3]), bias: nil, geometry: geometry, training: true)
        let y = Kernels.batchNormReLUTraining(conv, scale: Tensor.filled(1, shape: [16]), shift: Tensor.filled(0.1, shape: [16]), epsilon: 1e-5).output
        let s = FakeQuant.absMax(y) * 0.5
        let w = random([16, 16, 3, 3])
        _ = Kernels.conv2dForward(FakeQuant.quantizeDequantize(y, scales: [s], bits: 8), filter: w, bias: nil, geometry: geometry, training: true)
        var g = Kernels.conv2dBackwardData(random([2, 16, 6, 6]), filter: w, inputShape: y.shape, geometry: geometry)
        XCTAssertNotNil(g.layout, "the gradient stays in the convolution's blocked layout")
        XCTAssertEqual(g.layout?.key, y.layout?.key, "the batch norm's output is held in the same layout")
        let before = g.floats, bytes = g.buffer.pointer
        FakeQuant.applyStraightThrough(&g, input: y, scales: [s])
        XCTAssertEqual(g.buffer.pointer, bytes, "masked over the convolution's gradient")
        XCTAssertNotNil(g.layout)
        let expected = Reference.straightThrough(before, y.floats, scales: [s])
        XCTAssertTrue(expected.contains(0) && expected.contains { $0 != 0 }, "some masked, some passed")
        assertBitIdentical(g.floats, expected, "mask in the convolutions' layout")
    }
}
