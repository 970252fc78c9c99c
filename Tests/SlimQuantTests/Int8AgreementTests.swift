import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Numbers: the INT8 engine (lowered program, real u8/s8 kernels) against the frozen float
/// program it was converted from, on seeded batches.
final class Int8AgreementTests: XCTestCase {
    /// Asserts that the two programs agree on `images`: same top-1 everywhere, probabilities
    /// within `tolerance`, and integer activations `integers` equal (at most `offByOne` of them
    /// one level apart: float rounding order near a rounding tie).
    private func check(_ p: Int8Pipeline, _ images: Tensor, logits: String, integers: [String] = [], tolerance: Float = 1e-3,
                       offByOne: Double = 0.002, file: StaticString = #filePath, line: UInt = #line) throws {
        let (f, q) = try p.run(images, fetches: [p.output, logits] + integers)
        let probs = agreement(try XCTUnwrap(f[p.output]), try XCTUnwrap(q[p.output])), raw = agreement(try XCTUnwrap(f[logits]), try XCTUnwrap(q[logits]))
        print("int8 vs frozen: top-1 agreement \(probs.agree), max |dp| \(probs.maxDiff), max |dlogit| \(raw.maxDiff)")
        XCTAssertEqual(probs.agree, 1, "top-1 agreement", file: file, line: line)
        XCTAssertLessThanOrEqual(probs.maxDiff, tolerance, file: file, line: line)
        for name in integers {
            let a = try XCTUnwrap(f[name], name).floats, b = try XCTUnwrap(q[name], name).asFloats
            XCTAssertNotEqual(try XCTUnwrap(q[name], name).dtype, .f32, name, file: file, line: line)
            XCTAssertTrue(zip(a, b).allSatisfy { abs($0 - $1) <= 1 }, name, file: file, line: line)
            let off = Double(zip(a, b).filter { $0 != $1 }.count) / Double(a.count)
            XCTAssertLessThanOrEqual(off, offByOne, "\(name): \(off) of the values one level apart", file: file, line: line)
        }
    }

    func testTinyNetStaticPerTensor() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data)
        try check(p, data.batch(64, seed: 5).images, logits: "fc_0.tmp_1", integers: ["pool2d_0.tmp_0.quantized"])
    }

    /// The gate's multiply runs inside the quantizer after it (`int8_quantize` with a
    /// `Multiplier`): the gated activation's integers and the outputs agree with the frozen program.
    func testSqueezeExcitationGateFoldedIntoTheQuantizer() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinySENet().build(inputShape: [2, 8, 8], seed: 3), data: data, weights: .channelWiseAbsMax)
        XCTAssertFalse(p.loweredTypes.contains("elementwise_mul"), "\(p.loweredTypes)")
        let gated = try XCTUnwrap(p.lowered.ops.first { $0.type == "int8_quantize" && $0.inputs["Multiplier"] != nil }, "\(p.lowered.textDump())")
        let mul = try XCTUnwrap(p.frozen.ops.first { $0.type == "elementwise_mul" })
        XCTAssertEqual(gated.inputs["X"], mul.inputs["X"])
        XCTAssertEqual(gated.inputs["Multiplier"], mul.inputs["Y"])
        try check(p, data.batch(64, seed: 8).images, logits: "fc_0.tmp_1", integers: [try XCTUnwrap(gated.output("Out"))])
    }

    func testTinyNetStaticChannelWise() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data,
                                 weights: .channelWiseAbsMax, activations: .rangeAbsMax)
        try check(p, data.batch(64, seed: 6).images, logits: "fc_0.tmp_1", integers: ["pool2d_0.tmp_0.quantized"])
    }

    func testTinyNetDynamicScales() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data,
                                 weights: .channelWiseAbsMax, activations: .absMax)
        try check(p, data.batch(64, seed: 8).images, logits: "fc_0.tmp_1", integers: ["pool2d_0.tmp_0.quantized"])
    }

    func testRelu6AndSignedActivations() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 4, seed: 9)
        let p = try Int8Pipeline(TwoConvNet().build(inputShape: [2, 8, 8], seed: 3), data: data)
        try check(p, data.batch(64, seed: 10).images, logits: "fc_0.tmp_1",
                  integers: ["conv2d_0.tmp_1.quantized", "conv2d_1.tmp_1.quantized"])
    }

    /// LeNet-5 from the zoo, QAT-trained a few steps, frozen, converted and lowered.
    func testLeNetAgreesWithFrozenModel() throws {
        let data = TemplateData(shape: [1, 28, 28], classes: 10, seed: 11)
        let p = try Int8Pipeline(LeNet5().build(inputShape: [1, 28, 28], seed: 1), data: data, steps: 8)
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_pool2d", "int8_conv2d", "int8_pool2d",
                                        "int8_mul", "int8_mul", "int8_mul", "softmax"])
        try check(p, data.batch(64, seed: 12).images, logits: "fc_2.tmp_1",
                  integers: ["pool2d_0.tmp_0.quantized", "pool2d_1.tmp_0.quantized", "fc_0.tmp_2.quantized", "fc_1.tmp_2.quantized"])
    }

    /// MobileNetV1 (x0.25) from the zoo: depthwise convs, batch norm folded, channel-wise weights.
    /// 28 layers: the rare requantization that lands one level apart (float rounding order at a
    /// tie: 1 in ~10^5 values after the first layer) spreads through the deeper layers, so the
    /// bound on the probabilities is looser than for the small nets.
    func testMobileNetV1AgreesWithFrozenModel() throws {
        let data = TemplateData(shape: [3, 32, 32], classes: 10, seed: 13)
        let p = try Int8Pipeline(MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [3, 32, 32], seed: 3), data: data,
                                 weights: .channelWiseAbsMax, steps: 2, batch: 8)
        XCTAssertFalse(p.loweredTypes.contains("batch_norm"), "batch norms are folded into the int8 convs")
        try check(p, data.batch(16, seed: 14).images, logits: "fc_0.tmp_1", integers: ["batch_norm_0.tmp_3.quantized"],
                  tolerance: 0.01, offByOne: 1e-4)
    }

    /// A dead channel (batch norm scale 0: the channel outputs its shift alone, as filters decayed
    /// to zero in a fine-tuned pruned model do) keeps its batch norm folded into the int8 conv.
    func testDeadChannelKeepsBatchNormFolded() throws {
        let data = TemplateData(shape: [3, 32, 32], classes: 10, seed: 13)
        let p = try Int8Pipeline(MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [3, 32, 32], seed: 3), data: data,
                                 weights: .channelWiseAbsMax, steps: 2, batch: 8) { params in
            for name in ["conv1_bn_scale", "conv2_1_sep_bn_scale"] {
                var gamma = params[name]!.floats
                gamma[3] = 0
                params[name] = Tensor(shape: [gamma.count], floats: gamma)
            }
        }
        XCTAssertFalse(p.loweredTypes.contains("batch_norm"), "\(p.loweredTypes)")
        try check(p, data.batch(16, seed: 14).images, logits: "fc_0.tmp_1", integers: ["batch_norm_0.tmp_3.quantized"],
                  tolerance: 0.01, offByOne: 1e-4)
    }

    /// A dead channel whose shift could not be held in accumulator units (shift / 1e-20 overflows)
    /// keeps its batch norm in float rather than an infinite bias.
    func testDeadChannelWithAHugeShiftStaysFloat() throws {
        let data = TemplateData(shape: [3, 32, 32], classes: 10, seed: 13)
        let p = try Int8Pipeline(MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [3, 32, 32], seed: 3), data: data,
                                 weights: .channelWiseAbsMax, steps: 2, batch: 8) { params in
            var gamma = params["conv1_bn_scale"]!.floats, beta = params["conv1_bn_offset"]!.floats
            (gamma[3], beta[3]) = (0, 1e30)
            params["conv1_bn_scale"] = Tensor(shape: [gamma.count], floats: gamma)
            params["conv1_bn_offset"] = Tensor(shape: [beta.count], floats: beta)
        }
        XCTAssertEqual(p.loweredTypes.filter { $0 == "batch_norm" }.count, 1, "\(p.loweredTypes)")
        XCTAssertTrue(p.loweredParams.values.allSatisfy { $0.dtype != .f32 || $0.floats.allSatisfy(\.isFinite) })
    }

    /// conv-bn-relu, conv-bn + projection shortcut conv-bn, residual add + ReLU: batch norm folded,
    /// the add fused into one of the two convs that could take it, in f32 (the default).
    func testResidualBlockAgreesWithFrozenModel() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 17)
        let p = try Int8Pipeline(TinyResidualNet().build(inputShape: [2, 8, 8], seed: 4), data: data, steps: 4)
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_conv2d", "int8_conv2d", "int8_quantize", "int8_mul", "softmax"])
        XCTAssertEqual(p.lowered.ops.filter { $0.inputs["ResidualData"] != nil }.count, 1)
        try check(p, data.batch(64, seed: 18).images, logits: "fc_0.tmp_1", integers: ["batch_norm_0.tmp_3.quantized"])
    }

    /// The same block converted with `integerResiduals` (`slim freeze --int8_residual`): the add is
    /// summed on integers (`IntegerResidual`): the shortcut conv writes s8 in the units of the fc's
    /// quantizer and the other conv requantizes into that quantizer, so no `int8_quantize` is left
    /// before the fc. The shortcut's rounding moves the probabilities a little (0.017 here).
    func testMarkedResidualBlockSumsIntegers() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 17)
        let p = try Int8Pipeline(TinyResidualNet().build(inputShape: [2, 8, 8], seed: 4), data: data, steps: 4, integerResiduals: true)
        XCTAssertTrue(p.int8.ops.contains { $0.type == "elementwise_add" && $0.bool(ConvertToInt8Pass.integerResidualAttr, default: false) })
        XCTAssertEqual(p.loweredTypes, ["int8_quantize", "int8_conv2d", "int8_conv2d", "int8_conv2d", "int8_mul", "softmax"])
        let sums = p.lowered.ops.filter { $0.inputs["ResidualData"] != nil }
        XCTAssertEqual(sums.count, 1)
        XCTAssertEqual(sums.first.flatMap { p.lowered.variable($0.inputs["ResidualData"]![0])?.dtype }, .s8)
        try check(p, data.batch(64, seed: 18).images, logits: "fc_0.tmp_1", integers: ["batch_norm_0.tmp_3.quantized"], tolerance: 0.03)
    }

    /// The int8 kernels are created once per layer and shape: a second batch of the same size
    /// creates no primitive.
    func testPrimitivesAreCachedAcrossBatches() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data, steps: 2)
        let executor = try Executor(program: p.lowered), scope = Scope(p.loweredParams)
        try executor.run(feeds: [p.image: data.batch(8, seed: 1).images], scope: scope, mode: .eval)
        let created = PrimitiveCache.shared.creations
        try executor.run(feeds: [p.image: data.batch(8, seed: 2).images], scope: scope, mode: .eval)
        XCTAssertEqual(PrimitiveCache.shared.creations, created)
    }

    /// One executor keeps each int8 op's parsed attrs and kernel call from run to run: batches of
    /// changing sizes give what a fresh executor gives for each.
    func testOneExecutorAcrossBatchSizesMatchesFreshOnes() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data, steps: 2)
        let executor = try Executor(program: p.lowered), scope = Scope(p.loweredParams)
        for (step, batch) in [4, 4, 3, 1, 4].enumerated() {
            let images = data.batch(batch, seed: UInt64(step)).images
            let got = try executor.run(feeds: [p.image: images], scope: scope, mode: .eval)
            let want = try Executor(program: p.lowered).run(feeds: [p.image: images], scope: Scope(p.loweredParams), mode: .eval)
            XCTAssertEqual(got[p.output]?.floats, want[p.output]?.floats, "step \(step), batch \(batch)")
        }
    }
}

/// Asymmetric uint8 activations (quantizers with attr `zero_point`, as QDQ import makes them):
/// the lowered program (u8 `q + z`, zero points folded into the biases, padding with the zero
/// point, requantization into the next quantizer's zero point) against the frozen float program
/// with the same quantizers.
final class Int8AsymmetricAgreementTests: XCTestCase {
    /// The frozen program of `p` with zero points `zeros` (cyclically) on its activation quantizers, converted and lowered.
    private func asymmetric(_ p: Int8Pipeline, zeros: [Int]) throws -> (frozen: Program, lowered: Program, params: [String: Tensor], zeroOf: [String: Int]) {
        var frozen = p.frozen, k = 0, zeroOf: [String: Int] = [:]
        for i in frozen.ops.indices where frozen.ops[i].type == FakeQuantizeMovingAverageAbsMaxOp.type {
            let z = zeros[k % zeros.count]
            frozen.ops[i].attrs["zero_point"] = .int(z)
            zeroOf[try XCTUnwrap(frozen.ops[i].output("Out"))] = z
            k += 1
        }
        XCTAssertGreaterThanOrEqual(k, 2)
        var program = frozen, params = p.frozenParams
        try ConvertToInt8Pass().apply(to: &program, params: &params)
        try Int8LoweringPass().apply(to: &program, params: &params)
        return (frozen, program, params, zeroOf)
    }

    private func check(_ p: Int8Pipeline, zeros: [Int], images: Tensor, logits: String, integers: [String],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (frozen, lowered, params, zeroOf) = try asymmetric(p, zeros: zeros)
        XCTAssertTrue(lowered.ops.contains { $0.attrs["input_zero_point"] != nil }, file: file, line: line)
        XCTAssertTrue(lowered.ops.contains { $0.attrs["out_zero_point"] != nil }, "requantized into a zero point", file: file, line: line)
        let fetches = [p.output, logits] + integers
        let f = try Executor(program: frozen).run(feeds: [p.image: images], scope: Scope(p.frozenParams), mode: .eval, fetches: fetches)
        let q = try Executor(program: lowered).run(feeds: [p.image: images], scope: Scope(params), mode: .eval, fetches: fetches)
        let probs = agreement(try XCTUnwrap(f[p.output]), try XCTUnwrap(q[p.output]))
        print("asymmetric int8 vs frozen: top-1 agreement \(probs.agree), max |dp| \(probs.maxDiff)")
        XCTAssertEqual(probs.agree, 1, file: file, line: line)
        XCTAssertLessThanOrEqual(probs.maxDiff, 1e-3, file: file, line: line)
        for name in integers {
            let z = Float(try XCTUnwrap(zeroOf[name], name))
            let a = try XCTUnwrap(f[name], name).floats, t = try XCTUnwrap(q[name], name)
            XCTAssertEqual(t.dtype, .u8, name, file: file, line: line)
            let b = t.asFloats.map { $0 - z }
            let off = Double(zip(a, b).filter { $0 != $1 }.count) / Double(a.count)
            XCTAssertTrue(zip(a, b).allSatisfy { abs($0 - $1) <= 1 }, name, file: file, line: line)
            XCTAssertLessThanOrEqual(off, 0.002, "\(name): \(off) of the values one level apart", file: file, line: line)
        }
    }

    /// Padded convs with ReLU6 and a signed output requantized into zero points 100 / 0 / 140.
    func testTwoConvNetWithZeroPoints() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 4, seed: 9)
        let p = try Int8Pipeline(TwoConvNet().build(inputShape: [2, 8, 8], seed: 3), data: data)
        try check(p, zeros: [100, 0, 140], images: data.batch(64, seed: 10).images, logits: "fc_0.tmp_1",
                  integers: ["conv2d_0.tmp_1.quantized", "conv2d_1.tmp_1.quantized"])
    }

    /// Max pooling of requantized u8 with a zero point, channel-wise weights, into an fc.
    func testTinyNetWithZeroPointsThroughMaxPool() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let p = try Int8Pipeline(TinyConvNet().build(inputShape: [2, 8, 8], seed: 1), data: data, weights: .channelWiseAbsMax,
                                 activations: .movingAverageAbsMax)
        try check(p, zeros: [60, 30], images: data.batch(64, seed: 6).images, logits: "fc_0.tmp_1", integers: ["pool2d_0.tmp_0.quantized"])
    }
}
