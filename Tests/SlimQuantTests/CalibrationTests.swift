import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// PostTrainingQuantization on the small conv -> relu -> fc model: which vars are observed,
/// that every batch is seen, that the scales land in the QAT state, and the errors.
final class CalibrationTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    private let batches: [[String: Tensor]] = (1...3).map { ["image": QuantTestModel.images(seed: UInt64($0))] }

    func testActivationsAreTheQuantizedInputsThatAreNotWeights() throws {
        XCTAssertEqual(try PostTrainingQuantization().activations(of: QuantTestModel.program), ["image", "relu_0.tmp_0"])
    }

    func testAbsMaxSeesEveryBatch() throws {
        let program = QuantTestModel.program, params = QuantTestModel.params()
        let result = try PostTrainingQuantization(algorithm: .absMax).calibrate(program, params: params, batches: batches)
        let executor = try Executor(program: program)
        var image: Float = 0, relu: Float = 0
        for feeds in batches {
            let out = try executor.run(feeds: feeds, scope: Scope(params), mode: .eval, fetches: ["relu_0.tmp_0"])
            image = max(image, naiveAbsMax(try XCTUnwrap(feeds["image"])))
            relu = max(relu, naiveAbsMax(try XCTUnwrap(out["relu_0.tmp_0"])))
        }
        XCTAssertEqual(result.batches, 3)
        XCTAssertEqual(result.scales, ["image": image, "relu_0.tmp_0": relu])
        XCTAssertEqual(result.choices, [:])
    }

    func testHistogramAlgorithmsStayWithinTheRange() throws {
        let program = QuantTestModel.program, params = QuantTestModel.params()
        let maxima = try PostTrainingQuantization(algorithm: .absMax).calibrate(program, params: params, batches: batches).scales
        // hist at 100 %: the centre of the last bin holding the maximum, i.e. within half a bin of it.
        let full = try PostTrainingQuantization(algorithm: .hist, histPercent: 1, bins: 1000).calibrate(program, params: params, batches: batches)
        for (name, m) in maxima { XCTAssertEqual(try XCTUnwrap(full.scales[name]), m, accuracy: m / 1000, name) }
        for algorithm in [CalibrationAlgorithm.avg, .hist, .kl, .mse, .mix] {
            let r = try PostTrainingQuantization(algorithm: algorithm, bins: 256).calibrate(program, params: params, batches: batches)
            for (name, m) in maxima {
                let s = try XCTUnwrap(r.scales[name])
                XCTAssertTrue(s > 0 && s <= m * (1 + 1e-6), "\(algorithm) \(name): \(s) vs max \(m)")
            }
            XCTAssertEqual(r.choices.count, algorithm == .mix ? 2 : 0)
        }
    }

    func testApplyPutsTheScalesIntoTheQuantizationState() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        let float = params
        let ptq = PostTrainingQuantization(algorithm: .absMax, scheme: QuantizationScheme(weightQuantizeType: .absMax))
        let result = try ptq.calibrate(program, params: params, batches: batches)
        try ptq.apply(result, to: &program, params: &params)
        XCTAssertEqual(program.ops.filter { $0.type == "fake_quantize_moving_average_abs_max" }.count, 2)
        for (name, s) in result.scales {
            XCTAssertEqual(params["\(name).scale"]?.floats, [s])
            XCTAssertEqual(params["\(name).quant_accum"]?.floats, [s])
            XCTAssertEqual(params["\(name).quant_state"]?.floats, [1])
        }
        // The eval-mode QAT program uses the stored scales and stays close to the float model.
        let x = batches[0]
        let expected = try XCTUnwrap(Executor(program: QuantTestModel.program).run(feeds: x, scope: Scope(float), mode: .eval)["fc_0.tmp_2"]).floats
        let scope = Scope(params)
        let got = try XCTUnwrap(Executor(program: program).run(feeds: x, scope: scope, mode: .eval)["fc_0.tmp_2"]).floats
        XCTAssertLessThan(zip(got, expected).map { abs($0 - $1) }.max() ?? 1, 0.02)
        XCTAssertEqual(scope.tensors["image.scale"]?.floats, [try XCTUnwrap(result.scales["image"])], "eval runs do not move the scale")
    }

    func testErrors() throws {
        let ptq = PostTrainingQuantization()
        let params = QuantTestModel.params()
        XCTAssertThrowsError(try ptq.calibrate(QuantTestModel.program, params: params, batches: [[String: Tensor]]())) {
            XCTAssertTrue("\($0)".contains("at least one batch"), "\($0)")
        }
        var quantized = QuantTestModel.program, qparams = params
        try ptq.transformPass.apply(to: &quantized, params: &qparams)
        XCTAssertThrowsError(try ptq.calibrate(quantized, params: qparams, batches: batches)) {
            XCTAssertTrue("\($0)".contains("already quantized"), "\($0)")
        }
        var program = QuantTestModel.program, p = params
        XCTAssertThrowsError(try ptq.apply(CalibrationResult(scales: ["image": 1], batches: 1), to: &program, params: &p)) {
            XCTAssertTrue("\($0)".contains("relu_0.tmp_0"), "\($0)")
        }
        XCTAssertEqual(program, QuantTestModel.program, "a failed apply leaves the program alone")
        XCTAssertThrowsError(try PostTrainingQuantization(histPercent: 0).calibrate(QuantTestModel.program, params: params, batches: batches))
    }

    private func naiveAbsMax(_ x: Tensor) -> Float { x.floats.map(abs).max() ?? 0 }
}
