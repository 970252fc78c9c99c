import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Structure of `QuantizationTransformPass` output: op order, names, state vars and their
/// initial values, a golden dump.
final class TransformPassTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    private func transformed(_ pass: QuantizationTransformPass, params: inout [String: Tensor]) throws -> Program {
        var program = QuantTestModel.program
        try pass.apply(to: &program, params: &params)
        return program
    }

    func testGoldenMovingAverageAbsMax() throws {
        var params = QuantTestModel.params()
        let p = try transformed(QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)), params: &params)
        XCTAssertNoThrow(try p.verify())
        XCTAssertEqual(p.textDump(), """
            feeds: [image]
            fetches: [fc_0.tmp_2]
            vars:
              image: f32[-1, 2, 5, 5]
              conv2d_0.w_0: f32[3, 2, 3, 3] persistable trainable
              conv2d_0.tmp_0: f32[-1, 3, 3, 3]
              relu_0.tmp_0: f32[-1, 3, 3, 3]
              fc_0.w_0: f32[27, 4] persistable trainable
              fc_0.b_0: f32[4] persistable trainable
              fc_0.tmp_0: f32[-1, 4]
              fc_0.tmp_1: f32[-1, 4]
              fc_0.tmp_2: f32[-1, 4]
              image.quantized: f32[-1, 2, 5, 5]
              image.scale: f32[1] persistable
              image.quantized.dequantized: f32[-1, 2, 5, 5]
              image.quant_accum: f32[1] persistable
              image.quant_state: f32[1] persistable
              conv2d_0.w_0.quantized: f32[3, 2, 3, 3]
              conv2d_0.w_0.scale: f32[1]
              conv2d_0.w_0.quantized.dequantized: f32[3, 2, 3, 3]
              relu_0.tmp_0.quantized: f32[-1, 3, 3, 3]
              relu_0.tmp_0.scale: f32[1] persistable
              relu_0.tmp_0.quantized.dequantized: f32[-1, 3, 3, 3]
              relu_0.tmp_0.quant_accum: f32[1] persistable
              relu_0.tmp_0.quant_state: f32[1] persistable
              fc_0.w_0.quantized: f32[27, 4]
              fc_0.w_0.scale: f32[1]
              fc_0.w_0.quantized.dequantized: f32[27, 4]
            ops:
              fake_quantize_moving_average_abs_max(InAccum=[image.quant_accum], InScale=[image.scale], InState=[image.quant_state], X=[image]) -> (Out=[image.quantized], OutAccum=[image.quant_accum], OutScale=[image.scale], OutState=[image.quant_state]) {bit_length=8, is_test=false, moving_rate=0.9}
              fake_dequantize_max_abs(Scale=[image.scale], X=[image.quantized]) -> (Out=[image.quantized.dequantized]) {max_range=127.0}
              fake_quantize_abs_max(X=[conv2d_0.w_0]) -> (Out=[conv2d_0.w_0.quantized], OutScale=[conv2d_0.w_0.scale]) {bit_length=8}
              fake_dequantize_max_abs(Scale=[conv2d_0.w_0.scale], X=[conv2d_0.w_0.quantized]) -> (Out=[conv2d_0.w_0.quantized.dequantized]) {max_range=127.0}
              conv2d(Filter=[conv2d_0.w_0.quantized.dequantized], Input=[image.quantized.dequantized]) -> (Output=[conv2d_0.tmp_0]) {dilations=[1, 1], groups=1, paddings=[0, 0], strides=[1, 1]}
              relu(X=[conv2d_0.tmp_0]) -> (Out=[relu_0.tmp_0])
              fake_quantize_moving_average_abs_max(InAccum=[relu_0.tmp_0.quant_accum], InScale=[relu_0.tmp_0.scale], InState=[relu_0.tmp_0.quant_state], X=[relu_0.tmp_0]) -> (Out=[relu_0.tmp_0.quantized], OutAccum=[relu_0.tmp_0.quant_accum], OutScale=[relu_0.tmp_0.scale], OutState=[relu_0.tmp_0.quant_state]) {bit_length=8, is_test=false, moving_rate=0.9}
              fake_dequantize_max_abs(Scale=[relu_0.tmp_0.scale], X=[relu_0.tmp_0.quantized]) -> (Out=[relu_0.tmp_0.quantized.dequantized]) {max_range=127.0}
              fake_quantize_abs_max(X=[fc_0.w_0]) -> (Out=[fc_0.w_0.quantized], OutScale=[fc_0.w_0.scale]) {bit_length=8}
              fake_dequantize_max_abs(Scale=[fc_0.w_0.scale], X=[fc_0.w_0.quantized]) -> (Out=[fc_0.w_0.quantized.dequantized]) {max_range=127.0}
              mul(X=[relu_0.tmp_0.quantized.dequantized], Y=[fc_0.w_0.quantized.dequantized]) -> (Out=[fc_0.tmp_0]) {x_num_col_dims=1, y_num_col_dims=1}
              elementwise_add(X=[fc_0.tmp_0], Y=[fc_0.b_0]) -> (Out=[fc_0.tmp_1]) {axis=1}
              softmax(X=[fc_0.tmp_1]) -> (Out=[fc_0.tmp_2])

            """)
        XCTAssertEqual(params["image.scale"]?.floats, [0.001])
        XCTAssertEqual(params["image.quant_accum"]?.floats, [1])
        XCTAssertEqual(params["relu_0.tmp_0.quant_state"]?.floats, [1])
        XCTAssertNil(params["conv2d_0.w_0.scale"], "a per-batch scale is not state")
    }

    func testChannelWiseForConvPerTensorForMul() throws {
        var params = QuantTestModel.params()
        let p = try transformed(QuantizationTransformPass(QuantizationScheme(weightBits: 6, activationBits: 7, weightQuantizeType: .channelWiseAbsMax)), params: &params)
        XCTAssertEqual(p.ops.map(\.type), [
            "fake_quantize_abs_max", "fake_dequantize_max_abs",
            "fake_channel_wise_quantize_abs_max", "fake_channel_wise_dequantize_max_abs", "conv2d", "relu",
            "fake_quantize_abs_max", "fake_dequantize_max_abs", "fake_quantize_abs_max", "fake_dequantize_max_abs",
            "mul", "elementwise_add", "softmax",
        ])
        XCTAssertEqual(p.ops[2].attrs["bit_length"], .int(6))
        XCTAssertEqual(p.ops[3].attrs["quant_bits"], .ints([6]))
        XCTAssertEqual(p.variable("conv2d_0.w_0.scale")?.shape, [3])
        XCTAssertEqual(p.ops[0].attrs["bit_length"], .int(7))
        XCTAssertEqual(p.ops[1].attrs["max_range"], .float(63))
        XCTAssertEqual(p.ops[8].input("X"), "fc_0.w_0", "mul weights stay per tensor")
        XCTAssertEqual(p.ops[9].attrs["max_range"], .float(31))
    }

    func testRangeAbsMaxStateVars() throws {
        var params = QuantTestModel.params()
        let p = try transformed(QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .rangeAbsMax, windowSize: 5)), params: &params)
        let quant = p.ops[0]
        XCTAssertEqual(quant.type, "fake_quantize_range_abs_max")
        XCTAssertEqual(quant.inputs, ["X": ["image"], "InScale": ["image.scale"], "Iter": ["image.iter"], "InScales": ["image.scales"]])
        XCTAssertEqual(quant.outputs, ["Out": ["image.quantized"], "OutScale": ["image.scale"], "OutScales": ["image.scales"], "Iter": ["image.iter"]])
        XCTAssertEqual(quant.attrs["window_size"], .int(5))
        XCTAssertEqual(p.variable("image.iter"), VarDesc(name: "image.iter", shape: [1], dtype: .s32, persistable: true))
        XCTAssertEqual(params["image.iter"], Tensor(shape: [1], dtype: .s32, integers: [0]))
        XCTAssertEqual(params["image.scales"]?.floats, [0, 0, 0, 0, 0])
        XCTAssertEqual(params["relu_0.tmp_0.scale"]?.floats, [0.001])
        XCTAssertTrue(p.vars.filter { $0.name.contains(".scale") || $0.name.hasSuffix(".iter") }.allSatisfy { !$0.trainable })
    }

    func testExistingStateIsKept() throws {
        var params = QuantTestModel.params()
        params["image.scale"] = floats([3.5])
        params["image.quant_accum"] = floats([1, 2])   // wrong shape: replaced
        _ = try transformed(QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)), params: &params)
        XCTAssertEqual(params["image.scale"]?.floats, [3.5])
        XCTAssertEqual(params["image.quant_accum"]?.floats, [1])
    }

    func testSharedInputIsQuantizedOnce() throws {
        var program = QuantTestModel.program
        program.declare(VarDesc(name: "conv2d_1.tmp_0", shape: [-1, 3, 3, 3]))
        program.ops.insert(OpDesc(type: "conv2d", inputs: ["Input": ["image"], "Filter": ["conv2d_0.w_0"]],
                                  outputs: ["Output": ["conv2d_1.tmp_0"]]), at: 1)
        var params = QuantTestModel.params()
        try QuantizationTransformPass().apply(to: &program, params: &params)
        XCTAssertEqual(program.ops.filter { $0.type == "fake_quantize_abs_max" }.count, 4, "image, conv filter, relu, fc weight")
        XCTAssertEqual(program.ops[4].inputs, ["Input": ["image.quantized.dequantized"], "Filter": ["conv2d_0.w_0.quantized.dequantized"]])
        XCTAssertEqual(program.ops[5].inputs, program.ops[4].inputs)
    }

    func testDeterministic() throws {
        var a = QuantTestModel.params(), b = QuantTestModel.params()
        let pass = QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .rangeAbsMax))
        XCTAssertEqual(try transformed(pass, params: &a), try transformed(pass, params: &b))
        XCTAssertEqual(a, b)
    }

    func testErrors() throws {
        var params = QuantTestModel.params()
        for pass in [QuantizationTransformPass(QuantizationScheme(weightBits: 0)), QuantizationTransformPass(QuantizationScheme(activationBits: 17)),
                     QuantizationTransformPass(QuantizationScheme(windowSize: 0)), QuantizationTransformPass(QuantizationScheme(movingRate: 1.5)),
                     QuantizationTransformPass(quantizableOpTypes: ["conv2d", "relu"])] {
            XCTAssertThrowsError(try transformed(pass, params: &params)) { XCTAssertTrue($0 is GraphError) }
        }
        var program = try transformed(QuantizationTransformPass(), params: &params)
        XCTAssertThrowsError(try QuantizationTransformPass().apply(to: &program, params: &params)) { error in
            XCTAssertTrue("\(error)".contains("already quantized"), "\(error)")
        }
    }
}
