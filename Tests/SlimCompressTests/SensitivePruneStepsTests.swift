import Foundation
import SlimConfig
import SlimTrain
import XCTest
@testable import SlimCompress

/// `SensitivePruneStrategy` with `num_steps` > 1 (PaddleSlim 1.x): step 1 at `start_epoch`, each
/// later step once the evaluations since the previous one have converged, each removing
/// `1 - (1 - target_ratio)^(1/num_steps)` of the current FLOPs.
final class SensitivePruneStepsTests: XCTestCase {
    /// LeNet5's multiply-adds at 28x28 (`PruneEndToEndTests.testCalopsLeNetByHand`).
    let lenetFlops = 416_520

    /// The fixture's LeNet5 trained with `schedule` (a LearningRate section).
    private func fixture(schedule: String) throws -> CompressorFixture {
        let f = try CompressorFixture()
        try f.write("model.yml", """
            architecture: LeNet5
            num_classes: 10
            max_iters: 20
            seed: 3
            LearningRate: \(schedule)
            OptimizerBuilder: {optimizer: {type: Momentum, momentum: 0.9}}
            TrainReader: {batch_size: 32, dataset: {type: FashionMNIST, split: train, num_samples: 640}, transforms: [!Normalize {mean: [0.2860], std: [0.3530]}]}
            EvalReader: {batch_size: 100, dataset: {type: FashionMNIST, split: test, num_samples: 100}, transforms: [!Normalize {mean: [0.2860], std: [0.3530]}]}

            """)
        return f
    }

    private func strategy(_ f: CompressorFixture, steps: Int = 2, target: Double = 0.5, start: Int = 1) -> SensitivePruneStrategy {
        var c = PruneStrategyConfig(kind: .sensitive, pruner: "p", prunedParams: "conv2d_.*w_0")
        c.startEpoch = start
        (c.numSteps, c.targetRatio, c.deltaRate, c.evalRate, c.sensitivitiesFile) = (steps, target, 0.25, 1, f.path("s.json"))
        return SensitivePruneStrategy(name: "sensitive", config: c)
    }

    /// Four epochs of the fixture with a two-step sensitive strategy under `schedule`: the fixture
    /// (the caller cleans it up), the strategy, the compressor and the log lines.
    private func runFourEpochs(schedule: String) throws -> (CompressorFixture, SensitivePruneStrategy, Compressor, [String]) {
        let f = try fixture(schedule: schedule)
        let s = strategy(f)
        var lines: [String] = []
        let compressor = try f.compressor(epochs: 4, strategies: [s]) { lines.append($0) }
        try compressor.run()
        return (f, s, compressor, lines)
    }

    /// Epoch 0 trains the model (sensitivities of a trained model), step 1 runs at epoch 1; the
    /// learning rate is 0 in epoch 2, so the evaluations of epochs 1 and 2 are equal (converged)
    /// and step 2 runs at the beginning of epoch 3.
    func testASecondStepRunsWhenTheMetricHasConverged() throws {
        let (f, s, compressor, lines) = try runFourEpochs(schedule: "{base_lr: 0.02, schedulers: [!PiecewiseDecay {milestones: [40, 60], values: [0.02, 0.0, 0.02]}]}")
        defer { f.cleanUp() }
        let log = lines.joined()
        XCTAssertEqual(s.stepsDone, 2, log)
        XCTAssertEqual(s.lastStepEpoch, 3, log)
        XCTAssertTrue(log.contains("sensitive: pruned FLOPs: \(lenetFlops) -> "), log)
        XCTAssertTrue(log.contains("step 1/2 at epoch 1; original \(lenetFlops) -> "), log)
        XCTAssertTrue(log.contains("sensitive: acc_top1 converged ("), log)
        XCTAssertTrue(log.contains("step 2/2 at epoch 3; original \(lenetFlops) -> "), log)
        XCTAssertFalse(log.contains("not done"), log)
        let flops = try s.currentFlops(compressor.context)
        XCTAssertLessThanOrEqual(flops, lenetFlops / 2, "target_ratio 0.5 of the original FLOPs removed in all")
        XCTAssertGreaterThan(flops, lenetFlops / 4)
        // Step 1 removes about 1 - sqrt(0.5) = 29% of the FLOPs, not the whole target.
        let first = try XCTUnwrap(lines.first { $0.contains("step 1/2") })
        let afterFirst = Int(first.components(separatedBy: " -> ")[1].prefix { $0.isNumber }) ?? 0
        XCTAssertTrue(afterFirst <= Int(Double(lenetFlops) * 0.5.squareRoot()) && afterFirst > lenetFlops / 2, first)
        // Each step measured the model as it was: step 2's table is s.json.epoch3, of fewer filters.
        let one = try XCTUnwrap(Sensitivities.read(f.path("s.json"))), two = try XCTUnwrap(Sensitivities.read(f.path("s.json.epoch3")))
        XCTAssertEqual(Set(one.curves.keys), ["conv2d_0.w_0", "conv2d_1.w_0"])
        XCTAssertEqual(Set(two.curves.keys), Set(one.curves.keys))
        XCTAssertNotEqual(one, two)
        XCTAssertEqual(s.record()["steps"], "2")
    }

    /// A learning rate that keeps the metric moving: no second step, and the log says so.
    func testNoSecondStepWhileTheMetricKeepsChanging() throws {
        let (f, s, compressor, lines) = try runFourEpochs(schedule: "{base_lr: 0.02}")
        defer { f.cleanUp() }
        let log = lines.joined()
        // The premise: epochs 1 and 2 (the two evaluations since step 1 that epoch 3 looks at) differ.
        let top1 = (1...2).map { compressor.context.evalHistory[$0]?["top1"] ?? -1 }
        XCTAssertGreaterThanOrEqual(abs(top1[1] - top1[0]) / top1[0], 0.001, "\(top1)")
        XCTAssertEqual(s.stepsDone, 1, log)
        XCTAssertFalse(log.contains("step 2/2"), log)
        XCTAssertTrue(log.contains("sensitive: 1 of 2 pruning steps not done: acc_top1 did not converge"), log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.path("s.json.epoch3")))
    }

    /// The rule on a made-up history: the last two evaluations since the latest step, relative
    /// change under 0.001; an evaluation before the step never counts.
    func testConvergenceComparesTheLastTwoEvaluationsSinceTheLatestStep() throws {
        let f = try fixture(schedule: "{base_lr: 0.01}")
        defer { f.cleanUp() }
        let s = strategy(f, steps: 3)
        let context = try f.compressor(epochs: 1, strategies: [s]).context
        func result(_ top1: Double) -> EvalResult { EvalResult(values: [.init("top1", top1), .init("top5", 1)], primary: "top1", samples: 32) }
        func converged(step: Int, now: Int, _ history: [Int: Double]) throws -> [Int]? {
            try s.restore(["steps": "1", "step_epoch": String(step)], context: context)
            context.epoch = now
            context.evalHistory = history.mapValues(result)
            return try s.convergedEvaluations(context).map { [$0.0.epoch, $0.1.epoch] }
        }
        XCTAssertEqual(try converged(step: 2, now: 5, [0: 0.8, 1: 0.5, 2: 0.6, 4: 0.6]), [2, 4], "eval_epoch 2: epochs 2 and 4")
        XCTAssertNil(try converged(step: 2, now: 3, [1: 0.6, 2: 0.6]), "epoch 1 was evaluated before the step")
        XCTAssertEqual(try converged(step: 0, now: 3, [0: 0.6, 1: 0.7, 2: 0.6005]), nil, "0.7 -> 0.6005 moved")
        XCTAssertEqual(try converged(step: 0, now: 4, [0: 0.6, 1: 0.7, 2: 0.6, 3: 0.6005]), [2, 3], "0.6 -> 0.6005: 0.083% < 0.1%")
        XCTAssertNil(try converged(step: 0, now: 4, [2: 0.6, 3: 0.601]), "0.6 -> 0.601: 0.17%")
        XCTAssertEqual(try converged(step: 0, now: 2, [0: 0, 1: 0]), [0, 1], "equal values, even 0")
    }
}
