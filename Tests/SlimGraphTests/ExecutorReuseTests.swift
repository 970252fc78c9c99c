import XCTest
@testable import SlimGraph
import SlimTensor

/// An executor resolves its runs once per fetch list and reuses eval-mode op contexts: later runs
/// must still see new feeds, new batch sizes and new scope values, and compute what a fresh
/// executor computes.
final class ExecutorReuseTests: XCTestCase {
    typealias Sketch = GradientCheckTests.Sketch

    /// conv2d + bias add -> relu -> mean, with a batch norm whose running statistics a train run writes.
    func network() throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 2, 5, 5]))
        s.program.feeds = ["image"]
        s.parameter("conv.w", [4, 2, 3, 3])
        s.parameter("conv.b", [4])
        s.parameter("bn.scale", [4], 0.5, 1.5)
        s.parameter("bn.bias", [4], -0.2, 0.2)
        s.parameter("bn.mean", [4], trainable: false, -0.1, 0.1)
        s.parameter("bn.var", [4], trainable: false, 0.5, 1.5)
        try s.op("conv2d", ["Input": ["image"], "Filter": ["conv.w"]], ["Output": ["conv.out"]], ["paddings": .ints([1, 1])])
        try s.op("elementwise_add", ["X": ["conv.out"], "Y": ["conv.b"]], ["Out": ["conv.biased"]], ["axis": .int(1)])
        try s.op("batch_norm", ["X": ["conv.biased"], "Scale": ["bn.scale"], "Bias": ["bn.bias"], "Mean": ["bn.mean"], "Variance": ["bn.var"]],
                 ["Y": ["bn.out"], "MeanOut": ["bn.mean"], "VarianceOut": ["bn.var"], "SavedMean": ["bn.saved_mean"], "SavedVariance": ["bn.saved_var"]])
        try s.op("relu", ["X": ["bn.out"]], ["Out": ["relu.out"]])
        try s.op("mean", ["X": ["relu.out"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }

    func image(_ batch: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return OpTestValues.random([batch, 2, 5, 5], &rng, -1, 1)
    }

    /// What a fresh executor on a copy of `scope` computes.
    func fresh(_ s: Sketch, _ scope: Scope, _ feed: Tensor, fetches: [String]) throws -> [String: Tensor] {
        try Executor(program: s.program).run(feeds: ["image": feed], scope: Scope(scope.tensors), mode: .eval, fetches: fetches)
    }

    func testRepeatedRunsSeeNewFeedsBatchSizesAndScopeValues() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        for (step, batch) in [2, 2, 3, 1, 2].enumerated() {
            if step == 3 { s.scope["conv.w"] = Tensor(shape: [4, 2, 3, 3], floats: image(4, seed: 99).floats[..<72].map { $0 * 0.5 }) }
            let feed = image(batch, seed: UInt64(step))
            for fetches in [["loss"], ["relu.out", "conv.out"]] {
                let got = try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches)
                let want = try fresh(s, s.scope, feed, fetches: fetches)
                XCTAssertEqual(Set(got.keys), Set(fetches))
                for name in fetches { XCTAssertEqual(got[name]?.floats, want[name]?.floats, "step \(step) \(name)") }
            }
        }
    }

    func testTrainRunsWritePersistableOutputsAndEvalRunsReadThem() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        let before = try XCTUnwrap(s.scope["bn.mean"]).floats
        for seed: UInt64 in [1, 2] {
            try executor.run(feeds: ["image": image(4, seed: seed)], scope: s.scope, mode: .train)
            let grads = try executor.backward(loss: "loss")
            XCTAssertEqual(Set(grads.keys), ["conv.w", "conv.b", "bn.scale", "bn.bias"])
        }
        XCTAssertNotEqual(try XCTUnwrap(s.scope["bn.mean"]).floats, before, "running mean written back")
        let feed = image(2, seed: 2)
        let got = try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval)
        XCTAssertEqual(got["loss"]?.floats, try fresh(s, s.scope, feed, fetches: ["loss"])["loss"]?.floats)
    }

    func testMissingValuesStillThrowAfterSuccessfulRuns() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        try executor.run(feeds: ["image": image(2, seed: 1)], scope: s.scope, mode: .eval)
        let scope = Scope(s.scope.tensors)
        scope["conv.w"] = nil
        XCTAssertThrowsError(try executor.run(feeds: ["image": image(2, seed: 1)], scope: scope, mode: .eval)) { error in
            XCTAssertTrue("\(error)".contains("reads var 'conv.w', which has no value"), "\(error)")
        }
        XCTAssertThrowsError(try executor.run(feeds: [:], scope: s.scope, mode: .eval))
        let again = try executor.run(feeds: ["image": image(2, seed: 1)], scope: s.scope, mode: .eval)
        XCTAssertEqual(again["loss"]?.floats, try fresh(s, s.scope, image(2, seed: 1), fetches: ["loss"])["loss"]?.floats)
    }
}
