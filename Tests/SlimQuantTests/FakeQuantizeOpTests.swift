import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// The quantizer ops against hand-computed values (docs/ARCHITECTURE.md section 6).
final class FakeQuantizeOpTests: XCTestCase {
    private func absMaxOp(bits: Int) -> OpDesc {
        OpDesc(type: "fake_quantize_abs_max", inputs: ["X": ["x"]], outputs: ["Out": ["q"], "OutScale": ["s"]],
               attrs: ["bit_length": .int(bits)])
    }

    /// Naive reference: round(bin / s * clip(x, -s, s)), half away from zero.
    private func reference(_ x: [Float], scale s: Float, bits: Int) -> [Float] {
        let bin = Float((1 << (bits - 1)) - 1)
        return x.map { v in
            let r = min(max(v, -s), s) * (bin / s)
            return r < 0 ? -(-r + 0.5).rounded(.down) : (r + 0.5).rounded(.down)
        }
    }

    func testAbsMaxRoundsHalfAwayFromZero() throws {
        // s = 127 and bin = 127: the factor is exactly 1, so the halves stay halves.
        let h = try OpHarness(absMaxOp(bits: 8), feeds: ["x": floats([0])])
        let out = try h.run(["x": floats([127, 2.5, -2.5, 0.5, -0.5, 1.49, -126.5])])
        XCTAssertEqual(out["q"]?.floats, [127, 3, -3, 1, -1, 1, -127])
        XCTAssertEqual(out["s"]?.floats, [127])
    }

    func testAbsMaxThreeBits() throws {
        // bin = 3, s = 4: q = round(0.75 x).
        let h = try OpHarness(absMaxOp(bits: 3), feeds: ["x": floats([0])])
        let out = try h.run(["x": floats([4, 2, -2, 1, -4, 0.6])])
        XCTAssertEqual(out["q"]?.floats, [3, 2, -2, 1, -3, 0])
    }

    func testEveryBitLengthStaysInItsRange() throws {
        var g = SeededGenerator(seed: 7)
        let x = (0..<257).map { _ in Float.random(in: -1...1, using: &g) } + [1]
        for bits in 1...16 {
            let h = try OpHarness(absMaxOp(bits: bits), feeds: ["x": floats([0])])
            let q = try XCTUnwrap(h.run(["x": floats(x)])["q"]).floats
            let bin = Float((1 << (bits - 1)) - 1)
            XCTAssertTrue(q.allSatisfy { $0.rounded() == $0 && abs($0) <= bin }, "bits \(bits)")
            XCTAssertEqual(q.map(abs).max(), bin, "bits \(bits): the max reaches bin")
            XCTAssertEqual(q, reference(x, scale: 1, bits: bits), "bits \(bits)")
        }
    }

    func testBitLengthOutsideOneToSixteenThrows() throws {
        for bits in [0, 17, -3] {
            let h = try OpHarness(absMaxOp(bits: bits), feeds: ["x": floats([0])])
            XCTAssertThrowsError(try h.run(["x": floats([1, 2])]), "bits \(bits)") { error in
                XCTAssertTrue("\(error)".contains("bit_length"), "\(error)")
            }
        }
    }

    func testZeroTensorQuantizesToZero() throws {
        let h = try OpHarness(absMaxOp(bits: 8), feeds: ["x": floats([0])])
        let out = try h.run(["x": floats([0, 0, 0])])
        XCTAssertEqual(out["q"]?.floats, [0, 0, 0])
        XCTAssertEqual(out["s"]?.floats, [0])
    }

    func testChannelWiseScalesPerOutputChannel() throws {
        let op = OpDesc(type: "fake_channel_wise_quantize_abs_max", inputs: ["X": ["w"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"]], attrs: ["bit_length": .int(8)])
        let h = try OpHarness(op, feeds: ["w": floats([0, 0, 0, 0, 0, 0], [2, 3, 1, 1])])
        let w: [Float] = [1, -2, 0.5, 0.1, 0.2, -0.4]
        let out = try h.run(["w": floats(w, [2, 3, 1, 1])])
        XCTAssertEqual(out["s"]?.floats, [2, 0.4])
        XCTAssertEqual(out["q"]?.floats, reference(Array(w[0..<3]), scale: 2, bits: 8) + reference(Array(w[3...]), scale: 0.4, bits: 8))
        XCTAssertEqual(out["q"]?.floats, [64, -127, 32, 32, 64, -127])
    }

    func testMovingAverageFirstStepsAndEval() throws {
        let op = OpDesc(type: "fake_quantize_moving_average_abs_max",
                        inputs: ["X": ["x"], "InScale": ["s"], "InAccum": ["a"], "InState": ["st"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"], "OutAccum": ["a"], "OutState": ["st"]],
                        attrs: ["bit_length": .int(8), "moving_rate": .float(0.9)])
        let h = try OpHarness(op, feeds: ["x": floats([0])],
                              state: ["s": floats([0.001]), "a": floats([1]), "st": floats([1])])
        let x1: [Float] = [3, -1, 0.5]
        let out1 = try h.run(["x": floats(x1)])
        let s1: Float = (0.9 + 3) / (0.9 + 1)
        XCTAssertEqual(h.scope["s"]?.floats[0] ?? 0, s1, accuracy: 1e-6)
        XCTAssertEqual(h.scope["st"]?.floats, [Float(0.9) * 1 + 1])
        XCTAssertEqual(h.scope["a"]?.floats, [Float(0.9) * 1 + 3])
        XCTAssertEqual(out1["q"]?.floats, reference(x1, scale: try XCTUnwrap(h.scope["s"]).floats[0], bits: 8))
        XCTAssertEqual(out1["q"]?.floats, [127, -62, 31])   // s = 3.9 / 1.9: -127 / s = -61.9, 63.5 / s = 30.9

        _ = try h.run(["x": floats([1, -0.5])])
        let state2 = Float(0.9) * 1.9 + 1, accum2 = Float(0.9) * 3.9 + 1
        XCTAssertEqual(h.scope["s"]?.floats[0] ?? 0, accum2 / state2, accuracy: 1e-6)

        // Eval: the stored scale, nothing updated.
        let stored = h.scope.tensors
        let xe: [Float] = [10, 0.7, -0.2]
        let outE = try h.run(["x": floats(xe)], mode: .eval)
        XCTAssertEqual(outE["q"]?.floats, reference(xe, scale: try XCTUnwrap(stored["s"]).floats[0], bits: 8))
        XCTAssertEqual(h.scope.tensors, stored)
    }

    func testRangeAbsMaxSlidingWindow() throws {
        let op = OpDesc(type: "fake_quantize_range_abs_max",
                        inputs: ["X": ["x"], "InScale": ["s"], "Iter": ["it"], "InScales": ["w"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"], "OutScales": ["w"], "Iter": ["it"]],
                        attrs: ["bit_length": .int(8), "window_size": .int(3)])
        let h = try OpHarness(op, feeds: ["x": floats([0])], state: [
            "s": floats([0.001]), "it": Tensor(shape: [1], dtype: .s32, integers: [0]), "w": floats([0, 0, 0]),
        ])
        var scales: [Float] = []
        for m: Float in [1, 5, 2, 3, 4] {
            _ = try h.run(["x": floats([m / 2, -m])])
            scales.append(try XCTUnwrap(h.scope["s"]).floats[0])
        }
        // Windows: [1], [1,5], [1,5,2], [3,5,2], [3,4,2].
        XCTAssertEqual(scales, [1, 5, 5, 5, 4])
        XCTAssertEqual(h.scope["w"]?.floats, [3, 4, 2])
        XCTAssertEqual(h.scope["it"]?.asFloats, [5])

        let stored = h.scope.tensors
        let out = try h.run(["x": floats([8, 2, -1])], mode: .eval)
        XCTAssertEqual(out["q"]?.floats, reference([8, 2, -1], scale: 4, bits: 8))
        XCTAssertEqual(h.scope.tensors, stored)
    }

    func testIsTestAttrUsesStoredScaleInTraining() throws {
        let op = OpDesc(type: "fake_quantize_moving_average_abs_max", inputs: ["X": ["x"], "InScale": ["s"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"]], attrs: ["bit_length": .int(8), "is_test": .bool(true)])
        let h = try OpHarness(op, feeds: ["x": floats([0])], state: ["s": floats([2])])
        let out = try h.run(["x": floats([3, 1, -1])])
        XCTAssertEqual(out["q"]?.floats, [127, 64, -64])
        XCTAssertEqual(h.scope["s"]?.floats, [2])
    }

    func testStraightThroughMaskZeroOutsideScale() throws {
        let op = OpDesc(type: "fake_quantize_range_abs_max", inputs: ["X": ["x"], "InScale": ["s"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"]], attrs: ["bit_length": .int(8), "is_test": .bool(true)])
        let x: [Float] = [-2, -1, 0.5, 1, 1.5]
        let h = try OpHarness(op, state: ["x": floats(x), "s": floats([1])], trainable: ["x"])
        _ = try h.run()
        let grads = try h.executor.backward(loss: "q")
        XCTAssertEqual(grads["x"]?.floats, [0, 1, 1, 1, 0])
    }

    func testChannelWiseStraightThroughIsIdentityInsideRange() throws {
        let op = OpDesc(type: "fake_channel_wise_quantize_abs_max", inputs: ["X": ["w"]],
                        outputs: ["Out": ["q"], "OutScale": ["s"]], attrs: ["bit_length": .int(4)])
        let h = try OpHarness(op, state: ["w": floats([1, -3, 0.5, 2], [2, 2])], trainable: ["w"])
        _ = try h.run()
        XCTAssertEqual(try h.executor.backward(loss: "q")["w"]?.floats, [1, 1, 1, 1])
    }
}
