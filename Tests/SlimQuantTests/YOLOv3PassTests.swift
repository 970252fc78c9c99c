import SlimGraph
import SlimQuant
import SlimTensor
import SlimTestSupport
import XCTest

/// The quantization passes on YOLOv3-MobileNetV1 (width 0.25, 64x64): fake-quant pairs on every
/// conv2d / depthwise_conv2d of backbone and head, none on the gt-box `mul` (skip_quant) or before
/// leaky_relu, nearest_interp, concat, yolo_box, multiclass_nms; the frozen, INT8 float-emulation
/// and INT8-engine programs compute the QAT eval program's head outputs and keep the float tail.
final class YOLOv3PassTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    static let floatOps: Set<String> = ["leaky_relu", "nearest_interp", "concat", "yolo_box", "multiclass_nms", "transpose2"]

    func testFakeQuantPairsOnConvsOnlyAndSkippedGTBoxMul() throws {
        let built = try TinyYOLOv3.model()
        var program = built.program
        let scope = Scope(built.params)
        try QuantizationTransformPass(QuantizationScheme()).apply(to: &program, scope: scope)
        try program.verify()
        let convs = program.ops.filter { ["conv2d", "depthwise_conv2d"].contains($0.type) }
        XCTAssertEqual(convs.count, built.program.ops.filter { ["conv2d", "depthwise_conv2d"].contains($0.type) }.count)
        XCTAssertGreaterThan(convs.count, 30, "backbone and head")
        for op in convs {
            for slot in ["Input", "Filter"] {
                let name = try XCTUnwrap(op.inputs[slot]?.first)
                XCTAssertTrue(name.hasSuffix(".dequantized"), "\(op.type) \(slot) reads \(name)")
            }
        }
        let mul = try XCTUnwrap(program.ops.first { $0.type == "mul" })
        XCTAssertEqual(mul.inputs["X"], ["gt_box"], "the gt-box conversion stays float")
        XCTAssertEqual(mul.inputs["Y"], ["gt_box_to_cxcywh"])
        let fakeOutputs = Set(program.ops.filter { $0.type.hasPrefix("fake_") }.flatMap(\.outputNames))
        for op in program.ops where Self.floatOps.contains(op.type) {
            XCTAssertTrue(Set(op.inputNames).isDisjoint(with: fakeOutputs), "\(op.type) reads a fake-quant output")
        }
        let quantizers = program.ops.filter { $0.type.hasPrefix("fake_quantize") }.count
        let dequantizers = program.ops.filter { $0.type.hasPrefix("fake_") && $0.type.contains("dequantize") }.count
        XCTAssertEqual(quantizers, dequantizers, "pairs")
    }

    /// The tiny YOLOv3 after the transform pass and three train-mode runs, which record the
    /// activation scales (no weight update): its eval program, scope and feeds.
    private func calibratedEval(_ scheme: QuantizationScheme) throws -> (built: BuiltModel, eval: Program, scope: Scope, feeds: [String: Tensor]) {
        let built = try TinyYOLOv3.model()
        var train = built.program
        let scope = Scope(built.params)
        try QuantizationTransformPass(scheme).apply(to: &train, scope: scope)
        let feeds = TinyYOLOv3.feeds()
        for _ in 0..<3 { _ = try Executor(program: train).run(feeds: feeds, scope: scope, mode: .train, fetches: [built.loss]) }
        return (built, try train.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars), scope, feeds)
    }

    func testFrozenAndInt8HeadOutputsMatchQATEval() throws {
        let scheme = QuantizationScheme(weightQuantizeType: .absMax, activationQuantizeType: .movingAverageAbsMax)
        let (built, eval, scope, feeds) = try calibratedEval(scheme)
        let heads = YOLOv3.headOutputs(of: eval)
        XCTAssertEqual(heads.count, 3)
        let inferenceFeeds = feeds.filter { built.interface.inferenceFeeds.contains($0.key) }
        func run(_ p: Program, _ params: [String: Tensor]) throws -> [String: Tensor] {
            try Executor(program: p).run(feeds: inferenceFeeds, scope: Scope(params), mode: .eval, fetches: heads + p.fetches)
        }
        let qat = try run(eval, scope.tensors)
        var frozen = eval, params = scope.tensors
        try QuantizationFreezePass(scheme).apply(to: &frozen, params: &params)
        try frozen.verify()
        let frozenOut = try run(frozen, params)
        var int8 = frozen, int8Params = params
        try ConvertToInt8Pass().apply(to: &int8, params: &int8Params)
        let emulated = try run(ConvertToInt8Pass.floatEmulationProgram(int8), int8Params)
        let (lowered, loweredParams) = try InferenceEngine.int8.executionModel(program: int8, params: int8Params)
        let engine = try run(lowered, loweredParams)
        for h in heads {
            let q = try XCTUnwrap(qat[h]).floats, f = try XCTUnwrap(frozenOut[h]).floats
            let e = try XCTUnwrap(emulated[h]).floats, i = try XCTUnwrap(engine[h]).floats
            let range = q.map(abs).max() ?? 1
            XCTAssertLessThan(zip(q, f).map { abs($0 - $1) }.max() ?? 0, 0.02 * range, "\(h): frozen vs QAT eval (summation order differs by ISA: a rounding tie may flip a level)")
            XCTAssertEqual(e, f, "\(h): int8 float emulation computes the frozen program")
            XCTAssertLessThan(zip(i, f).map { abs($0 - $1) }.max() ?? 0, 0.01 * range, "\(h): int8 engine vs frozen (one rounding tie may flip a level)")
        }
        for (name, p) in [("frozen", frozen), ("int8", int8), ("int8 engine", lowered)] {
            let types = name == "int8 engine" ? ["nearest_interp", "concat", "yolo_box", "multiclass_nms"]
                : ["leaky_relu", "nearest_interp", "concat", "yolo_box", "multiclass_nms"]
            for type in types { XCTAssertTrue(p.ops.contains { $0.type == type }, "\(name): \(type) is kept") }
        }
        try checkIntegerNeck(lowered)
        let rows = try XCTUnwrap(engine["multiclass_nms_0.tmp_0"])
        XCTAssertEqual(rows.shape.last, 6)
        XCTAssertTrue(rows.floats.allSatisfy(\.isFinite))
    }

    /// On VNNI hosts the head's s8 activations that only convolutions read are stored as u8 plus
    /// 128 (oneDNN's u8 kernels need no sign compensation); the head outputs are exactly those of
    /// the s8 program (the shift is added after rounding, as an integer). Without
    /// VNNI the default lowering keeps s8 (u8 above 127 is not exact there).
    func testSignedActivationsStoredAsUnsignedWhereExact() throws {
        Int8Ops.register()
        let scheme = QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax)
        let (built, eval, scope, feeds) = try calibratedEval(scheme)
        var int8 = eval
        var params = scope.tensors
        try QuantizationFreezePass(scheme).apply(to: &int8, params: &params)
        try ConvertToInt8Pass().apply(to: &int8, params: &params)
        let heads = YOLOv3.headOutputs(of: int8)
        let inferenceFeeds = feeds.filter { built.interface.inferenceFeeds.contains($0.key) }
        func lowered(_ pass: Int8LoweringPass) throws -> (Program, [String: Tensor]) {
            var p = int8, q = params
            try pass.apply(to: &p, params: &q)
            try p.verify()
            return (p, q)
        }
        let (signed, signedParams) = try lowered(Int8LoweringPass(storesSignedAsUnsigned: false))
        let (byDefault, defaultParams) = try lowered(Int8LoweringPass())
        let shifted = byDefault.ops.filter { $0.attrs["out_zero_point"] != nil }
        let readers = byDefault.ops.filter { $0.attrs["input_shift"] != nil }
        XCTAssertFalse(signed.ops.contains { $0.attrs["out_zero_point"] != nil || $0.attrs["input_shift"] != nil })
        if Kernels.int8IsExact {
            XCTAssertGreaterThan(shifted.count, 3, "the head's leaky convs feeding convs write u8 + 128")
            XCTAssertGreaterThanOrEqual(readers.count, shifted.count)
        } else {
            XCTAssertTrue(shifted.isEmpty && readers.isEmpty, "no zero points without VNNI")
        }
        for op in shifted {
            let out = try XCTUnwrap(op.output("Output"))
            XCTAssertEqual(byDefault.variable(out)?.dtype, .u8)
            XCTAssertEqual(signed.variable(out)?.dtype, .s8, "\(out) is s8 in the plain lowering")
            let users = byDefault.ops.filter { $0.inputNames.contains(out) }
            XCTAssertTrue(users.allSatisfy { $0.type == Int8Conv2DOp.type && $0.attrs["input_shift"]?.intValue == 128 }, "\(out) is read with the shift 128")
        }
        let a = try Executor(program: signed).run(feeds: inferenceFeeds, scope: Scope(signedParams), mode: .eval, fetches: heads)
        let b = try Executor(program: byDefault).run(feeds: inferenceFeeds, scope: Scope(defaultParams), mode: .eval, fetches: heads)
        for h in heads { XCTAssertEqual(try XCTUnwrap(a[h]).floats, try XCTUnwrap(b[h]).floats, "\(h): the s8 program's values") }
    }

    /// With 7-bit weights (`weight_bits: 7`) every head conv reads its s8 input as it is, without
    /// VNNI too (`Int8EvenWeights`: the doubled filter), and the head outputs are exactly those of
    /// the two-part split the engine runs for 8-bit weights.
    func testSevenBitWeightsGiveTheSplitsOutputsInOneConvolution() throws {
        Int8Ops.register()
        let scheme = QuantizationScheme(weightBits: 7, weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax)
        let (built, eval, scope, feeds) = try calibratedEval(scheme)
        var int8 = eval, params = scope.tensors
        try QuantizationFreezePass(scheme).apply(to: &int8, params: &params)
        try ConvertToInt8Pass().apply(to: &int8, params: &params)
        let filters = int8.ops.filter { $0.type == "conv2d" || $0.type == "depthwise_conv2d" }.compactMap { $0.inputs["Filter"]?.first }
        XCTAssertFalse(filters.isEmpty)
        for name in filters {
            XCTAssertTrue(try XCTUnwrap(params[name]).asFloats.allSatisfy { (-63...63).contains($0) }, "\(name) has 7-bit levels")
        }
        let (lowered, loweredParams) = try InferenceEngine.int8.executionModel(program: int8, params: params)
        let heads = YOLOv3.headOutputs(of: int8)
        let inferenceFeeds = feeds.filter { built.interface.inferenceFeeds.contains($0.key) }
        func run() throws -> [String: Tensor] {
            try Executor(program: lowered).run(feeds: inferenceFeeds, scope: Scope(loweredParams), mode: .eval, fetches: heads)
        }
        let direct = try run()
        Int8EvenWeights.isEnabled = false
        defer { Int8EvenWeights.isEnabled = true }
        let split = try run()
        for h in heads { XCTAssertEqual(try XCTUnwrap(direct[h]).floats, try XCTUnwrap(split[h]).floats, "\(h): the split's values") }
    }

    /// The INT8 engine's program: every conv on integer kernels with its leaky_relu(0.1) fused as
    /// a post-op (no leaky_relu op left). The neck runs on integers: each of the head's two route
    /// concats reads s8 values in the next conv's units (the upsampled branch requantized by its
    /// conv and copied by nearest_interp, the backbone route through int8_quantize) and feeds that
    /// conv directly; yolo_box and multiclass_nms read and write float values (`im_size` and the
    /// NMS counts are s32).
    private func checkIntegerNeck(_ p: Program) throws {
        XCTAssertFalse(p.ops.contains { $0.type == "leaky_relu" }, "leaky_relu is a conv post-op")
        XCTAssertFalse(p.ops.contains { ["conv2d", "depthwise_conv2d"].contains($0.type) }, "every conv runs on integers")
        let convs = p.ops.filter { $0.type == Int8Conv2DOp.type }
        let leaky = convs.filter { $0.attrs["activation"]?.stringValue == "leaky_relu" }
        XCTAssertFalse(leaky.isEmpty)
        XCTAssertTrue(leaky.allSatisfy { $0.attrs["alpha"]?.floatValue.map { abs($0 - 0.1) < 1e-6 } == true })
        XCTAssertTrue(leaky.contains { $0.attrs["clip_min"] != nil }, "some leaky conv requantizes straight into the next conv's integers")
        for op in p.ops where ["yolo_box", "multiclass_nms"].contains(op.type) {
            for name in op.inputNames + op.outputNames {
                let type = try XCTUnwrap(p.variable(name)?.dtype, name)
                XCTAssertTrue(type != .u8 && type != .s8, "\(op.type) reads/writes \(name) as \(type), not as 8-bit integers")
            }
        }
        let routes = p.ops.filter { concat in
            concat.type == "concat" && !p.ops.contains { $0.type == "multiclass_nms" && $0.inputNames.contains(concat.outputNames.first ?? "") }
        }
        XCTAssertEqual(routes.count, 2, "the head's two route concats")
        for concat in routes {
            let out = try XCTUnwrap(concat.outputNames.first)
            for name in concat.inputNames + [out] { XCTAssertEqual(p.variable(name)?.dtype, .s8, "\(name) of the route concat") }
            let writers = concat.inputNames.compactMap { name in p.ops.first { $0.outputNames.contains(name) }?.type }
            XCTAssertEqual(Set(writers), ["nearest_interp", Int8QuantizeOp.type], "\(out): the upsampled branch and the quantized route")
            XCTAssertEqual(p.ops.filter { $0.inputNames.contains(out) }.map(\.type), [Int8Conv2DOp.type], "\(out) feeds the next conv as it is")
        }
        for op in p.ops where op.type == "nearest_interp" {
            for name in op.inputNames + op.outputNames { XCTAssertEqual(p.variable(name)?.dtype, .s8, "\(name) of nearest_interp") }
        }
    }
}
