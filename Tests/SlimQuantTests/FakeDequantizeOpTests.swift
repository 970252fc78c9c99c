import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// The dequantizer ops and `int8_to_float` against hand-computed values.
final class FakeDequantizeOpTests: XCTestCase {
    func testDequantizeMaxAbs() throws {
        let op = OpDesc(type: "fake_dequantize_max_abs", inputs: ["X": ["q"], "Scale": ["s"]], outputs: ["Out": ["y"]],
                        attrs: ["max_range": .float(127)])
        let h = try OpHarness(op, feeds: ["q": floats([0])], state: ["s": floats([2])])
        let y = try XCTUnwrap(h.run(["q": floats([127, -3, 0])])["y"]).floats
        XCTAssertEqual(y, [2, -3 * 2 / 127, 0])
    }

    func testDequantizeGradientPassesUnchanged() throws {
        let op = OpDesc(type: "fake_dequantize_max_abs", inputs: ["X": ["q"], "Scale": ["s"]], outputs: ["Out": ["y"]],
                        attrs: ["max_range": .float(127)])
        let h = try OpHarness(op, state: ["q": floats([5, -200]), "s": floats([2])], trainable: ["q"])
        _ = try h.run()
        XCTAssertEqual(try h.executor.backward(loss: "y")["q"]?.floats, [1, 1])
    }

    func testQuantDequantPairIsIdentityGradientInsideRange() throws {
        SlimQuant.registerOps()
        let program = Program(vars: [
            VarDesc(name: "x", shape: [4], persistable: true, trainable: true), VarDesc(name: "q", shape: [4]),
            VarDesc(name: "s", shape: [1], persistable: true), VarDesc(name: "y", shape: [4]),
        ], ops: [
            OpDesc(type: "fake_quantize_range_abs_max", inputs: ["X": ["x"], "InScale": ["s"]],
                   outputs: ["Out": ["q"], "OutScale": ["s"]], attrs: ["bit_length": .int(8), "is_test": .bool(true)]),
            OpDesc(type: "fake_dequantize_max_abs", inputs: ["X": ["q"], "Scale": ["s"]], outputs: ["Out": ["y"]],
                   attrs: ["max_range": .float(127)]),
        ], fetches: ["y"])
        let scope = Scope(["x": floats([0.3, -0.9, 1.2, -1.5]), "s": floats([1])])
        let executor = try Executor(program: program)
        let y = try XCTUnwrap(executor.run(feeds: [:], scope: scope, mode: .train)["y"]).floats
        XCTAssertEqual(y, [Float(38) / 127, Float(-114) / 127, 1, -1])
        XCTAssertEqual(try executor.backward(loss: "y")["x"]?.floats, [1, 1, 0, 0])
    }

    func testChannelWiseDequantizeOneScaleUsesAxisZero() throws {
        let op = OpDesc(type: "fake_channel_wise_dequantize_max_abs", inputs: ["X": ["q"], "Scales": ["s"]],
                        outputs: ["Out": ["y"]], attrs: ["quant_bits": .ints([8])])
        let h = try OpHarness(op, feeds: ["q": floats([0, 0, 0, 0], [2, 2])], state: ["s": floats([2, 0.5])])
        let y = try XCTUnwrap(h.run(["q": floats([127, -64, 127, 10], [2, 2])])["y"]).floats
        XCTAssertEqual(y, [2, -64 * 2 / 127, 0.5, 10 * 0.5 / 127])
    }

    func testChannelWiseDequantizeTwoScalesUsesAxisOne() throws {
        let op = OpDesc(type: "fake_channel_wise_dequantize_max_abs", inputs: ["X": ["o"], "Scales": ["sw", "sa"]],
                        outputs: ["Out": ["y"]], attrs: ["quant_bits": .ints([8, 4])])
        let h = try OpHarness(op, feeds: ["o": floats([0, 0, 0, 0], [1, 2, 1, 2])], state: ["sw": floats([0.5, 1]), "sa": floats([3])])
        let y = try XCTUnwrap(h.run(["o": floats([700, -70, 7, 14], [1, 2, 1, 2])])["y"]).floats
        let range: Float = 127 * 7
        XCTAssertClose(y, [700 * 0.5 * 3 / range, -70 * 0.5 * 3 / range, 7 * 3 / range, 14 * 3 / range])
    }

    func testChannelWiseDequantizeRejectsMismatchedScales() throws {
        let op = OpDesc(type: "fake_channel_wise_dequantize_max_abs", inputs: ["X": ["q"], "Scales": ["s"]],
                        outputs: ["Out": ["y"]], attrs: ["quant_bits": .ints([8])])
        let h = try OpHarness(op, feeds: ["q": floats([0, 0, 0], [3, 1])], state: ["s": floats([2, 0.5])])
        XCTAssertThrowsError(try h.run(["q": floats([1, 2, 3], [3, 1])]))
    }

    func testOneBitDequantizesToZero() throws {
        let op = OpDesc(type: "fake_dequantize_max_abs", inputs: ["X": ["q"], "Scale": ["s"]], outputs: ["Out": ["y"]],
                        attrs: ["max_range": .float(0)])
        let h = try OpHarness(op, feeds: ["q": floats([0])], state: ["s": floats([2])])
        XCTAssertEqual(try h.run(["q": floats([0, 0])])["y"]?.floats, [0, 0])
    }

    func testInt8ToFloat() throws {
        let op = OpDesc(type: "int8_to_float", inputs: ["X": ["w"]], outputs: ["Out": ["y"]])
        let h = try OpHarness(op, state: ["w": Tensor(shape: [3], dtype: .s8, integers: [-128, 0, 127])])
        let y = try XCTUnwrap(h.run()["y"])
        XCTAssertEqual(y.dtype, .f32)
        XCTAssertEqual(y.floats, [-128, 0, 127])
    }
}
