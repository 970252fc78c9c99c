import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Structure of the frozen, INT8 and mobile programs.
final class FreezePassTests: XCTestCase {
    private func frozen(weights: WeightQuantizeType, activations: ActivationQuantizeType,
                        params: inout [String: Tensor]) throws -> Program {
        var program = QuantTestModel.program
        try QuantizationTransformPass(QuantizationScheme(weightQuantizeType: weights, activationQuantizeType: activations)).apply(to: &program, params: &params)
        try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: weights)).apply(to: &program, params: &params)
        return program
    }

    override func setUp() { SlimQuant.registerOps() }

    /// The op lines of the program's text dump.
    private func opLines(_ p: Program) -> [String] {
        let lines = p.textDump().split(separator: "\n").map(String.init)
        return Array(lines.drop { $0 != "ops:" }.dropFirst())
    }

    func testGoldenPerTensorMovingAverage() throws {
        let float = QuantTestModel.params()
        var params = float
        let p = try frozen(weights: .absMax, activations: .movingAverageAbsMax, params: &params)
        let range = 127.0 * 127.0 / Double(FakeQuant.absMax(try XCTUnwrap(float["conv2d_0.w_0"])))
        let fcRange = 127.0 * 127.0 / Double(FakeQuant.absMax(try XCTUnwrap(float["fc_0.w_0"])))
        XCTAssertNoThrow(try p.verify())
        XCTAssertEqual(opLines(p), [
            "  fake_quantize_moving_average_abs_max(InScale=[image.scale], X=[image]) -> (Out=[image.quantized], OutScale=[image.scale]) {bit_length=8, is_test=true, moving_rate=0.9}",
            "  conv2d(Filter=[conv2d_0.w_0], Input=[image.quantized]) -> (Output=[conv2d_0.tmp_0]) {dilations=[1, 1], groups=1, paddings=[0, 0], strides=[1, 1]}",
            "  fake_dequantize_max_abs(Scale=[image.scale], X=[conv2d_0.tmp_0]) -> (Out=[conv2d_0.tmp_0.dequantized]) {max_range=\(range)}",
            "  relu(X=[conv2d_0.tmp_0.dequantized]) -> (Out=[relu_0.tmp_0])",
            "  fake_quantize_moving_average_abs_max(InScale=[relu_0.tmp_0.scale], X=[relu_0.tmp_0]) -> (Out=[relu_0.tmp_0.quantized], OutScale=[relu_0.tmp_0.scale]) {bit_length=8, is_test=true, moving_rate=0.9}",
            "  mul(X=[relu_0.tmp_0.quantized], Y=[fc_0.w_0]) -> (Out=[fc_0.tmp_0]) {x_num_col_dims=1, y_num_col_dims=1}",
            "  fake_dequantize_max_abs(Scale=[relu_0.tmp_0.scale], X=[fc_0.tmp_0]) -> (Out=[fc_0.tmp_0.dequantized]) {max_range=\(fcRange)}",
            "  elementwise_add(X=[fc_0.tmp_0.dequantized], Y=[fc_0.b_0]) -> (Out=[fc_0.tmp_1]) {axis=1}",
            "  softmax(X=[fc_0.tmp_1]) -> (Out=[fc_0.tmp_2])",
        ])
        XCTAssertEqual(Set(p.vars.map(\.name)), [
            "image", "conv2d_0.w_0", "conv2d_0.tmp_0", "relu_0.tmp_0", "fc_0.w_0", "fc_0.b_0", "fc_0.tmp_0", "fc_0.tmp_1",
            "fc_0.tmp_2", "image.quantized", "image.scale", "relu_0.tmp_0.quantized", "relu_0.tmp_0.scale",
            "conv2d_0.tmp_0.dequantized", "fc_0.tmp_0.dequantized",
        ])
        XCTAssertEqual(params.keys.sorted(), ["conv2d_0.w_0", "fc_0.b_0", "fc_0.w_0", "image.scale", "relu_0.tmp_0.scale"])
        XCTAssertEqual(params["fc_0.b_0"], float["fc_0.b_0"], "biases are not quantized")
    }

    func testWeightsBecomeRoundedIntegers() throws {
        let float = QuantTestModel.params()
        var params = float
        _ = try frozen(weights: .absMax, activations: .absMax, params: &params)
        for name in ["conv2d_0.w_0", "fc_0.w_0"] {
            let w = try XCTUnwrap(float[name], name).floats, q = try XCTUnwrap(params[name], name).floats
            let s = try XCTUnwrap(w.map(abs).max(), name)
            XCTAssertEqual(q, w.map { ($0 / s * 127).rounded(.toNearestOrAwayFromZero) }, name)
            XCTAssertEqual(q.map(abs).max(), 127, name)
        }
    }

    func testChannelWiseDequantizerAfterConv() throws {
        let float = QuantTestModel.params()
        var params = float
        let p = try frozen(weights: .channelWiseAbsMax, activations: .rangeAbsMax, params: &params)
        let post = p.ops[2]
        XCTAssertEqual(post.type, "fake_channel_wise_dequantize_max_abs")
        XCTAssertEqual(post.inputs, ["X": ["conv2d_0.tmp_0"], "Scales": ["conv2d_0.w_0.channel_scale", "image.scale"]])
        XCTAssertEqual(post.attrs, ["quant_bits": .ints([8, 8])])
        XCTAssertEqual(params["conv2d_0.w_0.channel_scale"]?.floats, FakeQuant.channelAbsMax(try XCTUnwrap(float["conv2d_0.w_0"]), channels: 3))
        XCTAssertEqual(p.ops[0].inputs, ["X": ["image"], "InScale": ["image.scale"]])
        XCTAssertEqual(p.ops[0].attrs["is_test"], .bool(true))
        XCTAssertEqual(p.ops[6].type, "fake_dequantize_max_abs", "mul keeps a per-tensor dequantizer")
        XCTAssertFalse(p.has("image.iter") || p.has("image.scales") || params["relu_0.tmp_0.scales"] != nil)
        let q = try XCTUnwrap(params["conv2d_0.w_0"]).floats
        for c in 0..<3 { XCTAssertEqual(q[c * 18 ..< (c + 1) * 18].map(abs).max(), 127) }
    }

    func testActivationBitsMismatchThrows() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        try QuantizationTransformPass(QuantizationScheme(activationBits: 4)).apply(to: &program, params: &params)
        XCTAssertThrowsError(try QuantizationFreezePass(QuantizationScheme(activationBits: 8)).apply(to: &program, params: &params)) { error in
            XCTAssertTrue("\(error)".contains("bit_length 4"), "\(error)")
        }
    }

    func testMissingWeightValueThrows() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        try QuantizationTransformPass().apply(to: &program, params: &params)
        params["fc_0.w_0"] = nil
        XCTAssertThrowsError(try QuantizationFreezePass().apply(to: &program, params: &params)) { error in
            XCTAssertTrue("\(error)".contains("fc_0.w_0"), "\(error)")
        }
    }

    func testWeightSharedWithUnquantizedOpThrows() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        try QuantizationTransformPass().apply(to: &program, params: &params)
        program.declare(VarDesc(name: "relu_1.tmp_0", shape: [27, 4]))
        program.ops.append(OpDesc(type: "relu", inputs: ["X": ["fc_0.w_0"]], outputs: ["Out": ["relu_1.tmp_0"]]))
        XCTAssertThrowsError(try QuantizationFreezePass().apply(to: &program, params: &params)) { error in
            XCTAssertTrue("\(error)".contains("also read unquantized by 'relu'"), "\(error)")
        }
    }

    func testConvertToInt8StoresS8Weights() throws {
        var params = QuantTestModel.params()
        var p = try frozen(weights: .channelWiseAbsMax, activations: .movingAverageAbsMax, params: &params)
        let frozenProgram = p, frozenParams = params
        try ConvertToInt8Pass().apply(to: &p, params: &params)
        XCTAssertEqual(p.ops.map(\.type), frozenProgram.ops.map(\.type), "graph otherwise equal")
        XCTAssertEqual(p.ops[1].input("Filter"), "conv2d_0.w_0.int8")
        XCTAssertEqual(p.ops[5].input("Y"), "fc_0.w_0.int8")
        for name in ["conv2d_0.w_0", "fc_0.w_0"] {
            let int8 = try XCTUnwrap(params[name + ".int8"])
            XCTAssertEqual(int8.dtype, .s8)
            XCTAssertEqual(p.variable(name + ".int8")?.dtype, .s8)
            XCTAssertEqual(int8.asFloats, frozenParams[name]?.floats)
            XCTAssertFalse(p.has(name))
            XCTAssertNil(params[name])
        }
        let emulation = ConvertToInt8Pass.floatEmulationProgram(p)
        XCTAssertEqual(emulation.ops.map(\.type).filter { $0 == "int8_to_float" }.count, 2)
        XCTAssertEqual(emulation.ops[2].input("Filter"), "conv2d_0.w_0.int8.float")
    }

    func testConvertToInt8RejectsWideWeights() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        try QuantizationTransformPass(QuantizationScheme(weightBits: 9)).apply(to: &program, params: &params)
        try QuantizationFreezePass(QuantizationScheme(weightBits: 9)).apply(to: &program, params: &params)
        XCTAssertThrowsError(try ConvertToInt8Pass().apply(to: &program, params: &params)) { error in
            XCTAssertTrue("\(error)".contains("-128...127"), "\(error)")
        }
    }

    func testMobileRenamesFakeQuantOps() throws {
        var params = QuantTestModel.params()
        var p = try frozen(weights: .absMax, activations: .movingAverageAbsMax, params: &params)
        MobileProgramPass().apply(to: &p)
        XCTAssertEqual(p.ops.map(\.type), ["quantize", "conv2d", "dequantize", "relu", "quantize", "mul", "dequantize",
                                           "elementwise_add", "softmax"])
    }
}
