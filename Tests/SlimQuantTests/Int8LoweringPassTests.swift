import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Structure of the lowered program (ops, var types, params) for each kind of chain.
final class Int8LoweringPassTests: XCTestCase {
    private let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)

    private func tiny(_ w: WeightQuantizeType, _ a: ActivationQuantizeType) throws -> Int8Pipeline {
        try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data, weights: w, activations: a)
    }

    /// The op lines of a program's text dump.
    private func opLines(_ p: Program) -> [String] {
        Array(p.textDump().split(separator: "\n").map(String.init).drop { $0 != "ops:" }.dropFirst())
    }

    func testStaticScalesFuseBiasReluAndRequantizeThroughMaxPool() throws {
        let p = try tiny(.absMax, .movingAverageAbsMax)
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_pool2d", "int8_mul", "softmax"])
        let (sImage, sPool) = (try XCTUnwrap(p.frozenParams["image.scale"]).floats[0], try XCTUnwrap(p.frozenParams["pool2d_0.tmp_0.scale"]).floats[0])
        let ranges = try p.frozen.ops.filter { $0.type == "fake_dequantize_max_abs" }.map { try XCTUnwrap($0.attrs["max_range"]?.floatValue) }
        let convScale = Float(Double(sImage) / ranges[0]), fcScale = Float(Double(sPool) / ranges[1])
        let requant = convScale * (127 / sPool)
        XCTAssertEqual(opLines(p.lowered), [
            "  int8_quantize(InScale=[image.scale], X=[image]) -> (Out=[image.quantized]) {bit_length=8, out_dtype=\"s8\"}",
            "  int8_conv2d(Bias=[conv2d_0.tmp_0.int8_bias], Filter=[conv2d_0.w_0.int8], Input=[image.quantized]) -> (Output=[conv2d_0.tmp_2])"
                + " {activation=\"clip\", clip_max=127.0, clip_min=0.0, dilations=[1, 1], groups=1, out_dtype=\"u8\","
                + " output_scales=[\(Double(requant))], paddings=[1, 1], strides=[1, 1]}",
            "  int8_pool2d(X=[conv2d_0.tmp_2]) -> (Out=[pool2d_0.tmp_0.quantized]) {exclusive=true, global_pooling=false, ksize=[2, 2],"
                + " paddings=[0, 0], pooling_type=\"max\", strides=[2, 2]}",
            "  int8_mul(Bias=[fc_0.tmp_0.int8_bias], X=[pool2d_0.tmp_0.quantized], Y=[fc_0.w_0.int8]) -> (Out=[fc_0.tmp_1])"
                + " {activation=\"none\", out_dtype=\"f32\", output_scales=[\(Double(fcScale))], x_num_col_dims=1, y_num_col_dims=1}",
            "  softmax(X=[fc_0.tmp_1]) -> (Out=[fc_0.tmp_2]) {axis=-1}",
        ])
        let types = Dictionary(uniqueKeysWithValues: p.lowered.vars.map { ($0.name, $0.dtype) })
        XCTAssertEqual(types["image.quantized"], .s8, "the image may be negative")
        XCTAssertEqual(types["conv2d_0.tmp_2"], .u8, "ReLU output")
        XCTAssertEqual(types["pool2d_0.tmp_0.quantized"], .u8)
        XCTAssertEqual(p.loweredParams.keys.sorted(), ["conv2d_0.tmp_0.int8_bias", "conv2d_0.w_0.int8", "fc_0.tmp_0.int8_bias",
                                                       "fc_0.w_0.int8", "image.scale"])
        XCTAssertEqual(p.loweredParams["fc_0.tmp_0.int8_bias"]?.floats, try XCTUnwrap(p.frozenParams["fc_0.b_0"]).floats.map { $0 / fcScale })
        XCTAssertNoThrow(try p.lowered.verify())
    }

    /// A signed conv output read only by a depthwise conv is stored as u8 plus 128 when
    /// `shiftsDepthwiseInputs` (by default on hosts without VNNI, where its s8 form would be split
    /// into a grouped conv on oneDNN's reference kernel), on every host when asked: the writer adds
    /// 128, the depthwise reader subtracts it (`input_shift`), and the outputs equal the s8 program's.
    func testSignedInputOfADepthwiseConvIsStoredAsUnsigned() throws {
        let p = try Int8Pipeline(SignedDepthwiseNet().build(inputShape: [2, 8, 8], seed: 3), data: data)
        func lowered(shifts: Bool) throws -> (Program, [String: Tensor]) {
            var program = p.int8, params = p.int8Params
            try Int8LoweringPass(storesSignedAsUnsigned: false, shiftsDepthwiseInputs: shifts).apply(to: &program, params: &params)
            try program.verify()
            return (program, params)
        }
        let (signed, signedParams) = try lowered(shifts: false), (shifted, shiftedParams) = try lowered(shifts: true)
        let convs = shifted.ops.filter { $0.type == Int8Conv2DOp.type }
        XCTAssertEqual(convs.count, 2)
        let (writer, depthwise) = (convs[0], convs[1])
        let out = try XCTUnwrap(writer.output("Output"))
        XCTAssertEqual(writer.attrs["out_zero_point"], .int(128))
        XCTAssertEqual(depthwise.input("Input"), out)
        XCTAssertEqual(depthwise.attrs["input_shift"], .int(128))
        XCTAssertEqual(shifted.variable(out)?.dtype, .u8)
        XCTAssertEqual(signed.variable(out)?.dtype, .s8)
        XCTAssertFalse(signed.ops.contains { $0.attrs["out_zero_point"] != nil || $0.attrs["input_shift"] != nil })
        let images = data.batch(8, seed: 9).images
        let a = try Executor(program: signed).run(feeds: [p.image: images], scope: Scope(signedParams), mode: .eval, fetches: [p.output])
        let b = try Executor(program: shifted).run(feeds: [p.image: images], scope: Scope(shiftedParams), mode: .eval, fetches: [p.output])
        XCTAssertEqual(try XCTUnwrap(a[p.output]).floats, try XCTUnwrap(b[p.output]).floats)
        XCTAssertEqual(Int8LoweringPass().shiftsDepthwiseInputs, !Kernels.int8IsExact, "by default where s8 would be split")
    }

    func testDynamicScalesKeepTheDequantizers() throws {
        let p = try tiny(.channelWiseAbsMax, .absMax)
        XCTAssertEqual(p.loweredTypes, [
            "int8_quantize", "int8_conv2d", "fake_channel_wise_dequantize_max_abs", "elementwise_add", "relu", "pool2d",
            "int8_quantize", "int8_mul", "fake_dequantize_max_abs", "elementwise_add", "softmax",
        ])
        let quantize = p.lowered.ops[6]
        XCTAssertEqual(quantize.inputs, ["X": ["pool2d_0.tmp_0"]])
        XCTAssertEqual(quantize.outputs, ["Out": ["pool2d_0.tmp_0.quantized"], "OutScale": ["pool2d_0.tmp_0.scale"]])
        XCTAssertEqual(quantize.attrs["out_dtype"], .string("u8"))
        XCTAssertEqual(p.lowered.ops[1].attrs["output_scales"], .floats([1]))
        XCTAssertEqual(p.lowered.ops[1].attrs["out_dtype"], .string("f32"))
    }

    func testChannelWiseStaticScalesArePerChannel() throws {
        let p = try tiny(.channelWiseAbsMax, .rangeAbsMax)
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_pool2d", "int8_mul", "softmax"])
        let channel = try XCTUnwrap(p.frozenParams["conv2d_0.w_0.channel_scale"]).floats
        let (sImage, sPool) = (try XCTUnwrap(p.frozenParams["image.scale"]).floats[0], try XCTUnwrap(p.frozenParams["pool2d_0.tmp_0.scale"]).floats[0])
        let expected = channel.map { Float(Double($0) * Double(sImage) / (127 * 127)) * (127 / sPool) }
        XCTAssertEqual(p.lowered.ops[1].attrs["output_scales"], .floats(expected.map(Double.init)))
        XCTAssertNil(p.loweredParams["conv2d_0.w_0.channel_scale"], "folded into the op")
    }

    func testRelu6AndSignedRequantization() throws {
        let p = try Int8Pipeline(TwoConvNet().build(inputShape: [2, 8, 8], seed: 3), data: TemplateData(shape: [2, 8, 8], classes: 4, seed: 9))
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_conv2d", "int8_mul", "softmax"])
        let first = try Int8Epilogue(p.lowered.ops[1]), second = try Int8Epilogue(p.lowered.ops[2])
        let s1 = p.frozenParams["conv2d_0.tmp_1.scale"].map { $0.floats[0] }
        let hi = s1.map { min(127, 6 * 127 / $0) }
        XCTAssertEqual(first.outputType, .u8)
        XCTAssertEqual(first.activation, .clip(lo: 0, hi: hi ?? -1), "ReLU6 bound in the next quantizer's units")
        XCTAssertEqual(second.outputType, .s8)
        XCTAssertEqual(second.activation, .clip(lo: -127, hi: 127))
    }

    func testUnlowerableOpReadsIntegersThroughCasts() throws {
        Int8Ops.register()
        var program = QuantTestModel.program, params = QuantTestModel.params()
        try QuantizationTransformPass(QuantizationScheme(activationBits: 10, activationQuantizeType: .movingAverageAbsMax)).apply(to: &program, params: &params)
        try QuantizationFreezePass(QuantizationScheme(activationBits: 10)).apply(to: &program, params: &params)
        let frozen = program, frozenParams = params
        try ConvertToInt8Pass().apply(to: &program, params: &params)
        try Int8LoweringPass().apply(to: &program, params: &params)
        XCTAssertEqual(program.ops.map(\.type).filter { $0.hasPrefix("int8") }, ["int8_to_float", "int8_to_float"],
                       "10-bit activations stay on the float path")
        let images = QuantTestModel.images(seed: 3)
        let a = try Executor(program: frozen).run(feeds: ["image": images], scope: Scope(frozenParams), mode: .eval)
        let b = try Executor(program: program).run(feeds: ["image": images], scope: Scope(params), mode: .eval)
        XCTAssertEqual(a["fc_0.tmp_2"], b["fc_0.tmp_2"])
    }

    func testMissingStaticScaleThrows() throws {
        var p = try tiny(.absMax, .movingAverageAbsMax)
        p.int8Params["image.scale"] = nil
        XCTAssertThrowsError(try Int8LoweringPass().apply(to: &p.int8, params: &p.int8Params)) { error in
            XCTAssertTrue("\(error)".contains("image.scale") || "\(error)".contains("InScale"), "\(error)")
        }
    }

    func testLoweringIsDeterministic() throws {
        let p = try tiny(.absMax, .movingAverageAbsMax)
        var (a, pa) = (p.int8, p.int8Params), (b, pb) = (p.int8, p.int8Params)
        try Int8LoweringPass().apply(to: &a, params: &pa)
        try Int8LoweringPass().apply(to: &b, params: &pb)
        XCTAssertEqual(a, b)
        XCTAssertEqual(pa, pb)
    }
}
