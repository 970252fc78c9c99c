import Foundation
import XCTest

/// Filter pruning through `slim compress`, and `slim calops`.
final class PruneEndToEndTests: XCTestCase {
    static let pruner = "pruners:\n  pruner_1: {class: StructurePruner, pruning_axis: {'*': 0}, criterions: {'*': l1_norm}}\n"

    /// Uniform pruning of LeNet's convs at `start`, epochs `epochs`, checkpoints in `checkpoints`.
    static func uniformSlim(start: Int, epochs: Int, checkpoints: String = "./checkpoints/", initModel: String? = nil) -> String {
        pruner + """
        strategies:
          uniform: {class: UniformPruneStrategy, pruner: pruner_1, start_epoch: \(start), target_ratio: 0.4, pruned_params: 'conv2d_.*w_0', metric_name: acc_top1}
        compressor:
          epoch: \(epochs)
          checkpoint_path: \(checkpoints)
          strategies: [uniform]
        \(initModel.map { "  init_model: \($0)" } ?? "")

        """
    }

    func testCalopsLeNetByHand() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        let r = try slim.run(["calops", "-c", "model.yml"])
        XCTAssertEqual(r.status, 0, r.err)
        // 6*28*28*25 + 16*10*10*6*25 + 400*120 + 120*84 + 84*10 multiply-adds; 61706 weights and biases.
        XCTAssertTrue(r.out.contains("Total FLOPs (multiply-adds): 416520"), r.out)
        XCTAssertTrue(r.out.contains("Total params: 61706"), r.out)
        XCTAssertTrue(r.out.contains("conv2d_1.tmp_0  [1, 16, 10, 10]  240000    2400"), r.out)
    }

    func testKilledPruningRunResumesBitIdenticalAndCalopsSeesThePrunedShapes() throws {
        let straight = try SlimRunner(), killed = try SlimRunner()
        defer { straight.cleanUp(); killed.cleanUp() }
        for s in [straight, killed] {
            try s.write("model.yml", SlimRunner.tinyModel)
            try s.write("slim.yaml", Self.uniformSlim(start: 1, epochs: 4))
        }
        let args = ["compress", "-s", "slim.yaml", "-c", "model.yml"]
        let full = try straight.run(args)
        XCTAssertEqual(full.status, 0, full.err)
        XCTAssertTrue(full.out.contains("uniform: pruned FLOPs: 416520 -> "), full.out)

        // Killed after checkpoint 1 (the first pruned one), during epoch 2.
        XCTAssertTrue(try killed.killedRun(args, when: "checkpoints/1/strategies.json"), "the run ended before it could be killed")
        let resumed = try killed.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from"), resumed.out)
        for file in ["checkpoints/3/model/__params__", "checkpoints/3/eval_model/__params__", "checkpoints/3/eval_model/__model__"] {
            let a = straight.bytes(file), b = killed.bytes(file)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, b, "\(file) differs between the straight and the resumed run")
        }

        let ops = try straight.run(["calops", "-c", "model.yml", "--model_path", "checkpoints/3/eval_model"])
        XCTAssertEqual(ops.status, 0, ops.err)
        let total = ops.out.split(separator: "\n").first { $0.hasPrefix("Total FLOPs") }.map(String.init) ?? ""
        let flops = Int(total.split(separator: " ").dropFirst(3).first ?? "") ?? -1
        XCTAssertTrue(flops > 0 && flops <= 416_520 * 6 / 10, ops.out)

        // A pruned init_model: its shapes are rebuilt, the FLOPs are already at the target.
        try straight.write("again.yaml", Self.uniformSlim(start: 0, epochs: 1, checkpoints: "./again/", initModel: "checkpoints/3/eval_model"))
        let again = try straight.run(["compress", "-s", "again.yaml", "-c", "model.yml"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("is pruned: rebuilt the shapes"), again.out)
        XCTAssertTrue(again.out.contains("nothing pruned"), again.out)
        XCTAssertFalse(again.out.contains("keep their random initial values"), again.out)
    }

    /// Sensitive pruning in two steps: step 1 at epoch 1 (after a training epoch), the learning
    /// rate 0 in epoch 2 so the evaluations of epochs 1 and 2 are equal and step 2 runs at epoch 3.
    /// Runs killed with SIGKILL during epoch 2 (one step done) and during epoch 3 (both done)
    /// resume to the same bytes as a straight run, sensitivities files included.
    func testKilledTwoStepSensitivePruningResumesBitIdentical() throws {
        let model = SlimRunner.tinyModel.replacingOccurrences(of: "- !PiecewiseDecay {gamma: 0.5, milestones: [9]}",
                                                              with: "- !PiecewiseDecay {milestones: [12, 18], values: [0.02, 0.0, 0.02]}")
        XCTAssertNotEqual(model, SlimRunner.tinyModel)
        let slim = Self.pruner + """
            strategies:
              sensitive: {class: SensitivePruneStrategy, pruner: pruner_1, start_epoch: 1, num_steps: 2, delta_rate: 0.25, eval_rate: 0.5,
                          target_ratio: 0.5, pruned_params: 'conv2d_.*w_0', sensitivities_file: s.json}
            compressor: {epoch: 5, checkpoint_path: ./checkpoints/, strategies: [sensitive]}

            """
        let straight = try SlimRunner(), killed = try SlimRunner()
        defer { straight.cleanUp(); killed.cleanUp() }
        for s in [straight, killed] {
            try s.write("model.yml", model)
            try s.write("slim.yaml", slim)
        }
        let args = ["compress", "-s", "slim.yaml", "-c", "model.yml"]
        let full = try straight.run(args)
        XCTAssertEqual(full.status, 0, full.err)
        XCTAssertTrue(full.out.contains("sensitive: pruned FLOPs: 416520 -> ") && full.out.contains("step 1/2 at epoch 1; original 416520 -> "), full.out)
        XCTAssertTrue(full.out.contains("sensitive: acc_top1 converged (") && full.out.contains("step 2/2 at epoch 3; original 416520 -> "), full.out)

        XCTAssertTrue(try killed.killedRun(args, when: "checkpoints/1/strategies.json"), "the run ended before it could be killed")
        XCTAssertTrue(try killed.killedRun(args, when: "checkpoints/3/strategies.json"), "the resumed run ended before it could be killed")
        let resumed = try killed.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from ./checkpoints/3"), resumed.out)
        for file in ["checkpoints/4/model/__params__", "checkpoints/4/eval_model/__params__", "checkpoints/4/eval_model/__model__",
                     "checkpoints/4/strategies.json", "s.json", "s.json.epoch3"] {
            let a = straight.bytes(file), b = killed.bytes(file)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, b, "\(file) differs between the straight and the resumed run")
        }
        let ops = try straight.run(["calops", "-c", "model.yml", "--model_path", "checkpoints/4/eval_model"])
        let total = ops.out.split(separator: "\n").first { $0.hasPrefix("Total FLOPs") }.map(String.init) ?? ""
        let flops = Int(total.split(separator: " ").dropFirst(3).first ?? "") ?? -1
        XCTAssertTrue(flops > 0 && flops <= 416_520 / 2, ops.out)
    }

    func testSensitivitiesAreMeasuredSavedAndReused() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        func yaml(_ checkpoints: String) -> String {
            Self.pruner + """
            strategies:
              sensitive: {class: SensitivePruneStrategy, pruner: pruner_1, delta_rate: 0.25, eval_rate: 0.5, target_ratio: 0.4,
                          pruned_params: 'conv2d_.*w_0', sensitivities_file: s.json}
            compressor: {epoch: 1, checkpoint_path: \(checkpoints), strategies: [sensitive]}

            """
        }
        try slim.write("slim.yaml", yaml("./a/"))
        let first = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("measuring 2 filters x 3 ratios on 100 eval samples"), first.out)
        XCTAssertTrue(first.out.contains("pruned FLOPs: 416520 -> "), first.out)
        let table = try JSONSerialization.jsonObject(with: try XCTUnwrap(slim.bytes("s.json"))) as? [String: [String: [Double]]]
        XCTAssertEqual(table?.keys.sorted(), ["conv2d_0.w_0", "conv2d_1.w_0"])
        XCTAssertEqual(table?["conv2d_0.w_0"]?["ratios"], [0.25, 0.5, 0.75])

        try slim.write("slim.yaml", yaml("./b/"))
        let second = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertTrue(second.out.contains("sensitivities of 2 filters read from s.json"), second.out)
        XCTAssertEqual(slim.bytes("a/0/model/__params__"), slim.bytes("b/0/model/__params__"), "same table, same pruning")
    }

    func testPruningThenQuantizationSavesPrunedQuantizedModels() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", Self.pruner + """
            strategies:
              uniform: {class: UniformPruneStrategy, pruner: pruner_1, target_ratio: 0.5, pruned_params: 'conv2d_.*w_0'}
              quant: {class: QuantizationStrategy, start_epoch: 1, end_epoch: 1, float_model_save_path: ./quant/float, int8_model_save_path: ./quant/int8}
            compressor: {epoch: 2, checkpoint_path: ./checkpoints/, strategies: [uniform, quant]}

            """)
        let r = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("pruned FLOPs: 416520 -> ") && r.out.contains("quant: froze epoch 1"), r.out)
        let ops = try slim.run(["calops", "-c", "model.yml", "--model_path", "quant/float"])
        XCTAssertEqual(ops.status, 0, ops.err)
        XCTAssertFalse(ops.out.contains("[1, 16, 10, 10]"), "the frozen float model has the pruned shapes: \(ops.out)")
        let eval = try slim.run(["eval", "-c", "model.yml", "--model_path", "quant/int8"])
        XCTAssertEqual(eval.status, 0, eval.err)
        XCTAssertTrue(eval.out.contains("top1"), eval.out)
    }

    func testQuantizationBeforePruningIsAConfigError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", Self.pruner + """
            strategies:
              uniform: {class: UniformPruneStrategy, pruner: pruner_1, pruned_params: 'conv2d_.*w_0'}
              quant: {class: QuantizationStrategy, start_epoch: 0, end_epoch: 0}
            compressor: {epoch: 1, strategies: [quant, uniform]}

            """)
        let r = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("slim.yaml:6:44") && r.err.contains("strategy 'uniform' (UniformPruneStrategy) comes after quantization strategy 'quant'"), r.err)
    }
}
