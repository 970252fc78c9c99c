import XCTest
@testable import SlimGraph
import SlimTensor

/// dropout: masks drawn from the executor's seeded generator, upscale_in_train, eval identity.
final class OpDropoutTests: XCTestCase {
    let op = OpDesc(type: "dropout", inputs: ["X": ["x"]], outputs: ["Out": ["out"], "Mask": ["mask"]], attrs: ["dropout_prob": .float(0.3)])

    func testTrainingMasksAreSeededAndUpscaled() throws {
        var rng = SeededGenerator(seed: 51)
        let x = OpTestValues.random([4, 50, 10], &rng, 0.5, 1.5), dOut = OpTestValues.random(x.shape, &rng)
        let a = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut], seed: 9)
        let b = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut], seed: 9)
        let c = try OpHarness.run(op, values: ["x": x], upstream: ["out": dOut], seed: 10)
        XCTAssertEqual(a.outputs["out"], b.outputs["out"], "same seed, same mask")
        XCTAssertNotEqual(a.outputs["out"], c.outputs["out"], "another seed, another mask")
        let mask = try XCTUnwrap(a.outputs["mask"])
        XCTAssertEqual(mask.dtype, .f32)
        let kept = mask.asFloats
        let rate = kept.reduce(0, +) / Float(kept.count)
        XCTAssertEqual(rate, 0.7, accuracy: 0.03)
        assertClose(a.outputs["out"], zip(x.floats, kept).map { $0 * $1 / 0.7 }, "upscaled forward")
        assertClose(a.grads["x"], zip(dOut.floats, kept).map { $0 * $1 / 0.7 }, "backward through the mask")
    }

    func testEvalAndIsTestAreTheIdentity() throws {
        var rng = SeededGenerator(seed: 52)
        let x = OpTestValues.random([3, 7], &rng)
        XCTAssertEqual(try OpHarness.run(op, values: ["x": x], mode: .eval, fetches: ["out"]).outputs["out"], x)
        var isTest = op
        isTest.attrs["is_test"] = .bool(true)
        let run = try OpHarness.run(isTest, values: ["x": x], upstream: ["out": x], fetches: ["out"])
        XCTAssertEqual(run.outputs["out"], x)
        assertClose(run.grads["x"], x.floats, "identity backward")
        var downgrade = op
        downgrade.attrs["dropout_implementation"] = .string("downgrade_in_infer")
        assertClose(try OpHarness.run(downgrade, values: ["x": x], mode: .eval, fetches: ["out"]).outputs["out"], x.floats.map { $0 * 0.7 }, "downgrade_in_infer eval")
        downgrade.attrs["dropout_implementation"] = .string("bogus")
        XCTAssertThrowsError(try DropoutOp.inferShapes(downgrade, inputs: ["X": [[-1, 7]]]))
    }
}
