import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Asymmetric activations in post-training quantization: `RangeObserver` against hand-computed
/// ranges and ONNX Runtime's MinMax formula (step `(max - min) / 255`, zero point
/// `round(-min / step)` half to even, 0 always in the range), and `PostTrainingQuantization`
/// with `.asymmetric` on the small conv -> relu -> fc model: the quantizers get the zero points,
/// the eval program runs the uint8 grid, other algorithms are refused, training refuses it.
final class AsymmetricCalibrationTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    private let batches: [[String: Tensor]] = (1...3).map { ["image": QuantTestModel.images(seed: UInt64($0))] }

    func testRangeObserverKeepsTheExtremesOrTheirMeansWithZeroIncluded() {
        var extremes = RangeObserver(), averaged = RangeObserver(averaged: true)
        XCTAssertTrue(extremes.range == (0, 0))
        for x in [t([1, -3, 2]), t([0.5, 2.5, .nan]), t([4, 1, .infinity])] {
            extremes.observe(x)
            averaged.observe(x)
        }
        XCTAssertTrue(extremes.range == (-3, 4), "\(extremes.range)")
        XCTAssertEqual(extremes.scale, 4)
        XCTAssertEqual(averaged.range.lower, -1, accuracy: 1e-6)          // (-3 + 0 + 0) / 3
        XCTAssertEqual(averaged.range.upper, 8.5 / 3, accuracy: 1e-6)     // (2 + 2.5 + 4) / 3
        XCTAssertEqual(averaged.batches, 3)
    }

    func testGridIsONNXRuntimeMinMax() {
        // [-1, 3]: step 4/255, zero point round(255/4 = 63.75) = 64; slim's s = 127 * step.
        let g = RangeObserver.asymmetric(lower: -1, upper: 3)
        XCTAssertEqual(g.zeroPoint, 64)
        XCTAssertEqual(g.scale, Float(4) / 255 * 127, accuracy: 1e-6)
        // Only positive values: zero point 0, the whole grid above 0 (twice the symmetric resolution).
        XCTAssertEqual(RangeObserver.asymmetric(lower: 0.5, upper: 2.55).zeroPoint, 0)
        XCTAssertEqual(RangeObserver.asymmetric(lower: 0.5, upper: 2.55).scale, 0.01 * 127, accuracy: 1e-6)
        // Only negative: zero point 255. Nothing: step 1, zero point 0.
        XCTAssertEqual(RangeObserver.asymmetric(lower: -2, upper: -1).zeroPoint, 255)
        XCTAssertTrue(RangeObserver.asymmetric(lower: 0, upper: 0) == (127, 0))
        // A tie rounds half to even as numpy does (step 1): 43.5 -> 44, 42.5 -> 42.
        XCTAssertEqual(RangeObserver.asymmetric(lower: -43.5, upper: 211.5).zeroPoint, 44)
        XCTAssertEqual(RangeObserver.asymmetric(lower: -42.5, upper: 212.5).zeroPoint, 42)
    }

    func testAsymmetricCalibrationSetsZeroPointsAndRunsTheUint8Grid() throws {
        var program = QuantTestModel.program, params = QuantTestModel.params()
        let float = params
        let ptq = PostTrainingQuantization(algorithm: .absMax, activationMode: .asymmetric)
        let result = try ptq.calibrate(program, params: params, batches: batches)
        XCTAssertEqual(Set(result.zeroPoints.keys), ["image", "relu_0.tmp_0"])
        // Per var: the extremes over every batch give the scale and zero point.
        let executor = try Executor(program: program)
        var lo: [String: Float] = [:], hi: [String: Float] = [:]
        for feeds in batches {
            var values = try executor.run(feeds: feeds, scope: Scope(params), mode: .eval, fetches: ["relu_0.tmp_0"])
            values["image"] = feeds["image"]
            for (name, v) in values {
                lo[name] = min(lo[name] ?? 0, v.floats.min() ?? 0)
                hi[name] = max(hi[name] ?? 0, v.floats.max() ?? 0)
            }
        }
        for name in ["image", "relu_0.tmp_0"] {
            let want = RangeObserver.asymmetric(lower: lo[name]!, upper: hi[name]!)
            XCTAssertEqual(result.scales[name], want.scale, name)
            XCTAssertEqual(result.zeroPoints[name], want.zeroPoint, name)
        }
        XCTAssertEqual(result.zeroPoints["relu_0.tmp_0"], 0, "a ReLU output spends every level above 0")
        XCTAssertGreaterThan(try XCTUnwrap(result.zeroPoints["image"]), 0)
        try ptq.apply(result, to: &program, params: &params)
        let quantizers = program.ops.filter { $0.type == "fake_quantize_moving_average_abs_max" }
        XCTAssertEqual(quantizers.compactMap { $0.attrs["zero_point"] }.count, 2)
        // The eval program stays close to the float model and steps in units of s / 127 from -z.
        let x = batches[0]
        let expected = try XCTUnwrap(Executor(program: QuantTestModel.program).run(feeds: x, scope: Scope(float), mode: .eval)["fc_0.tmp_2"]).floats
        let got = try XCTUnwrap(Executor(program: program).run(feeds: x, scope: Scope(params), mode: .eval)["fc_0.tmp_2"]).floats
        XCTAssertLessThan(zip(got, expected).map { abs($0 - $1) }.max() ?? 1, 0.02)
        let levels = try XCTUnwrap(Executor(program: program).run(feeds: x, scope: Scope(params), mode: .eval,
                                                                  fetches: [try XCTUnwrap(quantizers[0].output("Out"))]).values.first).floats
        let z = Float(try XCTUnwrap(result.zeroPoints["image"]))
        XCTAssertTrue(levels.allSatisfy { $0 == $0.rounded() && $0 >= -z && $0 <= 255 - z })
        // Training with a fixed zero point is refused.
        XCTAssertThrowsError(try Executor(program: program).run(feeds: x, scope: Scope(params), mode: .train)) {
            XCTAssertTrue("\($0)".contains("calibrated"), "\($0)")
        }
    }

    func testAsymmetricNeedsMinMaxOrAvgAndEightBits() throws {
        for algorithm in [CalibrationAlgorithm.hist, .kl, .mse, .mix] {
            XCTAssertThrowsError(try PostTrainingQuantization(algorithm: algorithm, activationMode: .asymmetric).validate()) {
                XCTAssertTrue("\($0)".contains("abs_max"), "\($0)")
            }
        }
        XCTAssertNoThrow(try PostTrainingQuantization(algorithm: .avg, activationMode: .asymmetric).validate())
        var scheme = PostTrainingQuantization.defaultScheme
        scheme.activationBits = 6
        XCTAssertThrowsError(try PostTrainingQuantization(algorithm: .absMax, scheme: scheme, activationMode: .asymmetric).validate())
        var program = QuantTestModel.program
        XCTAssertThrowsError(try PostTrainingQuantization.setZeroPoints(["nope": 3], in: &program))
    }

    private func t(_ v: [Float]) -> Tensor { Tensor(shape: [v.count], floats: v) }
}
