import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Numbers: after some QAT training steps, the frozen float program computes what the QAT
/// program computes in eval mode (within 1e-4 relative), and the INT8 program (s8 weights, run
/// through `floatEmulationProgram`) computes exactly what the frozen one does.
final class PassNumericsTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    /// The model plus a cross-entropy loss on its logits `fc_0.tmp_1`.
    private var trainProgram: Program {
        var p = QuantTestModel.program
        p.declare(VarDesc(name: "label", shape: [-1, 1], dtype: .s32))
        p.declare(VarDesc(name: "softmax_with_cross_entropy_0.tmp_0", shape: [-1, 4]))
        p.declare(VarDesc(name: "softmax_with_cross_entropy_0.tmp_1", shape: [-1, 1]))
        p.declare(VarDesc(name: "mean_0.tmp_0", shape: [1]))
        p.ops += [
            OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["fc_0.tmp_1"], "Label": ["label"]],
                   outputs: ["Softmax": ["softmax_with_cross_entropy_0.tmp_0"], "Loss": ["softmax_with_cross_entropy_0.tmp_1"]]),
            OpDesc(type: "mean", inputs: ["X": ["softmax_with_cross_entropy_0.tmp_1"]], outputs: ["Out": ["mean_0.tmp_0"]]),
        ]
        p.feeds = ["image", "label"]
        p.fetches = ["mean_0.tmp_0"]
        return p
    }

    /// Trains the QAT program a few SGD steps; returns the QAT eval program and the trained scope.
    private func trainQAT(_ pass: QuantizationTransformPass) throws -> (Program, Scope) {
        var params = QuantTestModel.params()
        var train = trainProgram, eval = QuantTestModel.program
        try pass.apply(to: &train, params: &params)
        try pass.apply(to: &eval, params: &params)
        let scope = Scope(params)
        let executor = try Executor(program: train)
        let label = Tensor(shape: [QuantTestModel.batch, 1], dtype: .s32, integers: [1, 3])
        for step in 0..<6 {
            try executor.run(feeds: ["image": QuantTestModel.images(seed: UInt64(10 + step)), "label": label], scope: scope, mode: .train)
            for (name, grad) in try executor.backward(loss: "mean_0.tmp_0") {
                var w = try XCTUnwrap(scope[name])
                grad.withUnsafeFloats { g in w.withUnsafeMutableFloats { for i in $0.indices { $0[i] -= 0.5 * g[i] } } }
                scope[name] = w
            }
        }
        return (eval, scope)
    }

    private func logits(_ program: Program, _ params: [String: Tensor], images: Tensor) throws -> [Float] {
        let out = try Executor(program: program).run(feeds: ["image": images], scope: Scope(params), mode: .eval,
                                                    fetches: ["fc_0.tmp_1", "fc_0.tmp_2"])
        return try XCTUnwrap(out["fc_0.tmp_1"]).floats + XCTUnwrap(out["fc_0.tmp_2"]).floats
    }

    private func check(_ pass: QuantizationTransformPass, file: StaticString = #filePath, line: UInt = #line) throws {
        let (qat, scope) = try trainQAT(pass)
        let images = QuantTestModel.images(seed: 99)
        let expected = try logits(qat, scope.tensors, images: images)

        var frozen = qat, frozenParams = scope.tensors
        try QuantizationFreezePass(pass.scheme).apply(to: &frozen, params: &frozenParams)
        try frozen.verify()
        let frozenOut = try logits(frozen, frozenParams, images: images)
        let magnitude = expected.map(abs).max() ?? 1
        let floatOut = try logits(QuantTestModel.program, scope.tensors, images: images)
        XCTAssertGreaterThan(zip(floatOut, expected).map { abs($0 - $1) }.max() ?? 0, 1e-3,
                             "quantization must change the outputs, or this test proves nothing", file: file, line: line)
        for (i, (a, b)) in zip(frozenOut, expected).enumerated() where abs(a - b) > 1e-4 * max(abs(b), 1e-2 * magnitude) {
            XCTFail("frozen[\(i)] = \(a), QAT eval \(b)", file: file, line: line)
        }

        var int8 = frozen, int8Params = frozenParams
        try ConvertToInt8Pass().apply(to: &int8, params: &int8Params)
        let weights = int8.persistables.filter { $0.name.hasSuffix(".int8") }
        XCTAssertEqual(weights.count, 2, file: file, line: line)
        for w in weights { XCTAssertEqual(int8Params[w.name]?.dtype, .s8, w.name, file: file, line: line) }
        let emulation = ConvertToInt8Pass.floatEmulationProgram(int8)
        try emulation.verify()
        XCTAssertEqual(try logits(emulation, int8Params, images: images), frozenOut, "INT8 == frozen", file: file, line: line)
    }

    func testAbsMaxWeightsMovingAverageActivations() throws {
        try check(QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)))
    }

    func testChannelWiseWeightsRangeActivations() throws {
        try check(QuantizationTransformPass(QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .rangeAbsMax, windowSize: 4)))
    }

    func testAbsMaxEverywhereSevenBits() throws {
        try check(QuantizationTransformPass(QuantizationScheme(weightBits: 7, activationBits: 7)))
    }

    func testQATTrainingUpdatesScalesAndWeights() throws {
        let before = QuantTestModel.params()
        let (_, scope) = try trainQAT(QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)))
        XCTAssertNotEqual(scope["conv2d_0.w_0"], before["conv2d_0.w_0"], "gradients flow through the quantizers")
        XCTAssertNotEqual(scope["image.scale"]?.floats, [0.001])
        let state = try XCTUnwrap(scope["image.quant_state"]).floats[0]
        var expected: Float = 1
        for _ in 0..<6 { expected = 0.9 * expected + 1 }
        XCTAssertEqual(state, expected, accuracy: 1e-5)
    }
}
