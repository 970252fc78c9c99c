import XCTest
@testable import SlimGraph
import SlimTensor

/// Eval-mode runs: batch norms folded into convolutions, activations fused as post-ops, weights
/// packed once and kept across runs; results equal to the ops as written, and a changed weight or
/// running statistic (a train step, an in-place update) seen by the next eval run.
final class ExecutorInferenceFusionTests: XCTestCase {
    typealias Sketch = GradientCheckTests.Sketch

    /// conv2d + bias -> batch_norm -> leaky_relu -> depthwise_conv2d -> batch_norm + relu -> conv2d -> mean.
    /// `first` / `second`: the activations after the first and second batch norm (leaky_relu
    /// with alpha 0.1 and relu by default).
    func network(first: String = "leaky_relu", second: String = "relu") throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 7, 7]))
        s.program.feeds = ["image"]
        s.parameter("conv.w", [6, 3, 3, 3])
        s.parameter("conv.b", [6])
        for name in ["bn1", "bn2"] { s.batchNormParameters(name, channels: 6) }
        s.parameter("dw.w", [6, 1, 3, 3])
        s.parameter("pw.w", [5, 6, 1, 1])
        try s.op("conv2d", ["Input": ["image"], "Filter": ["conv.w"]], ["Output": ["conv.out"]], ["paddings": .ints([1, 1])])
        try s.op("elementwise_add", ["X": ["conv.out"], "Y": ["conv.b"]], ["Out": ["conv.biased"]], ["axis": .int(1)])
        try s.batchNorm("bn1", "conv.biased", "bn1.out")
        try s.op(first, ["X": ["bn1.out"]], ["Out": ["leaky.out"]], first == "leaky_relu" ? ["alpha": .float(0.1)] : [:])
        try s.op("depthwise_conv2d", ["Input": ["leaky.out"], "Filter": ["dw.w"]], ["Output": ["dw.out"]],
                 ["paddings": .ints([1, 1]), "strides": .ints([2, 2]), "groups": .int(6)])
        try s.batchNorm("bn2", "dw.out", "bn2.out")
        try s.op(second, ["X": ["bn2.out"]], ["Out": ["relu.out"]])
        try s.op("conv2d", ["Input": ["relu.out"], "Filter": ["pw.w"]], ["Output": ["pw.out"]])
        try s.op("mean", ["X": ["pw.out"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }


    func testEvalFusionFoldsBatchNormsAndFusesActivations() throws {
        let s = try network()
        let fusion = OpFusion(s.program, registry: .shared, inference: true)
        XCTAssertEqual(fusion.ops.map(\.type), ["conv2d", "depthwise_conv2d", "conv2d", "mean"])
        XCTAssertEqual(fusion.ops[0].inputs["Bias"], ["conv.b"])
        XCTAssertEqual(fusion.ops[0].inputs["BatchNormMean"], ["bn1.mean"])
        XCTAssertEqual(fusion.ops[0].string("fuse_activation", default: ""), "leaky_relu")
        XCTAssertEqual(fusion.ops[0].float("fuse_alpha", default: 0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(fusion.ops[0].outputs["Output"], ["leaky.out"])
        XCTAssertEqual(fusion.ops[1].string("fuse_activation", default: ""), "relu")
        XCTAssertEqual(fusion.ops[1].outputs["Output"], ["relu.out"])
        XCTAssertTrue(fusion.removed.isSuperset(of: ["conv.out", "conv.biased", "bn1.out", "bn1.saved_mean", "dw.out", "bn2.out"]))
        XCTAssertEqual(OpFusion(s.program, registry: .shared).ops.count, 7, "train-mode runs keep the batch norms")
    }

    /// hard_swish and relu6 (MobileNetV3, imported models) fuse as post-ops too, with the same results.
    func testHardSwishAndRelu6FuseAsPostOps() throws {
        let s = try network(first: "hard_swish", second: "relu6")
        let fusion = OpFusion(s.program, registry: .shared, inference: true)
        XCTAssertEqual(fusion.ops.map(\.type), ["conv2d", "depthwise_conv2d", "conv2d", "mean"])
        XCTAssertEqual(fusion.ops[0].string("fuse_activation", default: ""), "hard_swish")
        XCTAssertEqual(fusion.ops[1].string("fuse_activation", default: ""), "relu6")
        var rng = SeededGenerator(seed: 5)
        let image = OpTestValues.random([2, 3, 7, 7], &rng, -3, 3)
        let outputs = try evalOutputs(try Executor(program: s.program), Scope(s.scope.tensors), image)
        assertClose(outputs.fused, outputs.written, "fused vs written")
    }

    /// A ResNet basic block: conv -> batch_norm + relu -> conv -> batch_norm -> elementwise_add of
    /// the block input (as X or as Y) -> relu -> conv. Eval runs fuse the add as the second
    /// convolution's `ResidualData` (a sum post-op) and the relu after it, with the results of the
    /// ops as written.
    func testResidualAddAndItsReluFuseIntoTheConvolution() throws {
        for shortcutFirst in [false, true] {
            var s = Sketch()
            s.program.declare(VarDesc(name: "image", shape: [-1, 4, 6, 6]))
            s.program.feeds = ["image"]
            s.parameter("a.w", [4, 4, 3, 3])
            s.parameter("b.w", [4, 4, 3, 3])
            s.parameter("pw.w", [3, 4, 1, 1])
            for name in ["bn1", "bn2"] { s.batchNormParameters(name, channels: 4) }
            try s.op("conv2d", ["Input": ["image"], "Filter": ["a.w"]], ["Output": ["a.out"]], ["paddings": .ints([1, 1])])
            try s.batchNorm("bn1", "a.out", "bn1.out")
            try s.op("relu", ["X": ["bn1.out"]], ["Out": ["a.relu"]])
            try s.op("conv2d", ["Input": ["a.relu"], "Filter": ["b.w"]], ["Output": ["b.out"]], ["paddings": .ints([1, 1])])
            try s.batchNorm("bn2", "b.out", "bn2.out")
            let operands = shortcutFirst ? ["X": ["image"], "Y": ["bn2.out"]] : ["X": ["bn2.out"], "Y": ["image"]]
            try s.op("elementwise_add", operands, ["Out": ["sum"]], ["axis": .int(-1)])
            try s.op("relu", ["X": ["sum"]], ["Out": ["block.out"]])
            try s.op("conv2d", ["Input": ["block.out"], "Filter": ["pw.w"]], ["Output": ["pw.out"]])
            s.program.fetches = ["pw.out"]
            let fusion = OpFusion(s.program, registry: .shared, inference: true)
            XCTAssertEqual(fusion.ops.map(\.type), ["conv2d", "conv2d", "conv2d"])
            XCTAssertEqual(fusion.ops[1].inputs["ResidualData"], ["image"])
            XCTAssertEqual(fusion.ops[1].string("fuse_activation", default: ""), "relu")
            XCTAssertEqual(fusion.ops[1].outputs["Output"], ["block.out"])
            var rng = SeededGenerator(seed: 8)
            let executor = try Executor(program: s.program), scope = Scope(s.scope.tensors)
            for batch in [2, 1] {
                let image = OpTestValues.random([batch, 4, 6, 6], &rng, -2, 2), before = image.floats
                let fused = try XCTUnwrap(executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: ["pw.out"])["pw.out"])
                let written = try XCTUnwrap(executor.run(feeds: ["image": image], scope: scope, mode: .eval,
                                                         fetches: ["pw.out", "sum"])["pw.out"])
                assertClose(fused, written, "fused vs written, batch \(batch)")
                XCTAssertEqual(image.floats, before, "the block input (the sum's start) is copied, not overwritten")
            }
        }
    }

    /// The shortcut an intermediate value (a convolution's relu output) rather than a feed. When
    /// the fused convolution is its last reader, the eval run hands it over and the sum is written
    /// over its bytes; when a later op still reads it (`late`, a 1x1 convolution of the shortcut
    /// after the block), it is copied first and the later op sees it unchanged. Both equal the
    /// ops as written (a fetched `sum` keeps the add unfused).
    func testAnIntermediateShortcutIsSummedIntoOnlyWhenNothingReadsItLater() throws {
        for laterReader in [false, true] {
            var s = Sketch()
            s.program.declare(VarDesc(name: "image", shape: [-1, 3, 6, 6]))
            s.program.feeds = ["image"]
            s.parameter("stem.w", [4, 3, 3, 3])
            s.parameter("b.w", [4, 4, 3, 3])
            s.parameter("pw.w", [3, 4, 1, 1])
            s.parameter("late.w", [3, 4, 1, 1])
            try s.op("conv2d", ["Input": ["image"], "Filter": ["stem.w"]], ["Output": ["stem.out"]], ["paddings": .ints([1, 1])])
            try s.op("relu", ["X": ["stem.out"]], ["Out": ["shortcut"]])
            try s.op("conv2d", ["Input": ["shortcut"], "Filter": ["b.w"]], ["Output": ["b.out"]], ["paddings": .ints([1, 1])])
            try s.op("elementwise_add", ["X": ["b.out"], "Y": ["shortcut"]], ["Out": ["sum"]], ["axis": .int(-1)])
            try s.op("relu", ["X": ["sum"]], ["Out": ["block.out"]])
            try s.op("conv2d", ["Input": ["block.out"], "Filter": ["pw.w"]], ["Output": ["pw.out"]])
            var fetches = ["pw.out"]
            if laterReader {
                try s.op("conv2d", ["Input": ["shortcut"], "Filter": ["late.w"]], ["Output": ["late.out"]])
                fetches.append("late.out")
            }
            s.program.fetches = fetches
            let fusion = OpFusion(s.program, registry: .shared, inference: true)
            XCTAssertEqual(fusion.ops[1].inputs["ResidualData"], ["shortcut"])
            var rng = SeededGenerator(seed: 12)
            let executor = try Executor(program: s.program), scope = Scope(s.scope.tensors)
            for batch in [2, 1, 2] {
                let image = OpTestValues.random([batch, 3, 6, 6], &rng, -2, 2)
                let fused = try executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: fetches)
                let written = try executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: fetches + ["sum"])
                for name in fetches {
                    assertClose(try XCTUnwrap(fused[name]), try XCTUnwrap(written[name]), "\(name), later reader \(laterReader), batch \(batch)")
                }
            }
        }
    }

    /// Eval output fetched alone (fused) and with a var between fused ops (the ops as written).
    func evalOutputs(_ executor: Executor, _ scope: Scope, _ image: Tensor) throws -> (fused: Tensor, written: Tensor) {
        let fused = try XCTUnwrap(executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: ["pw.out"])["pw.out"])
        let written = try XCTUnwrap(executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: ["pw.out", "bn1.out"])["pw.out"])
        return (fused, written)
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        let worst = zip(a.floats, b.floats).map { abs($0 - $1) / max(1e-2, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4, what, file: file, line: line)
    }

    func testFusedEvalRunsMatchTheOpsAsWrittenAndRepeat() throws {
        let s = try network()
        var rng = SeededGenerator(seed: 3)
        let image = OpTestValues.random([2, 3, 7, 7], &rng, -1, 1)
        let executor = try Executor(program: s.program)
        let scope = Scope(s.scope.tensors)
        let first = try evalOutputs(executor, scope, image)
        assertClose(first.fused, first.written, "fused vs written")
        let second = try evalOutputs(executor, scope, image)
        XCTAssertEqual(second.fused, first.fused, "a second run (packed weights) computes the same")
        XCTAssertEqual(second.written, first.written)
        let other = OpTestValues.random([3, 3, 7, 7], &rng, -1, 1)
        let resized = try evalOutputs(executor, scope, other)
        assertClose(resized.fused, resized.written, "another batch size")
    }

    /// Weights changed in place (as an optimizer step does) and running statistics changed by a
    /// train-mode run: the next eval run of the same executor computes what a new executor does.
    func testChangedWeightsAndStatisticsReachTheNextEvalRun() throws {
        let s = try network()
        var rng = SeededGenerator(seed: 4)
        let image = OpTestValues.random([2, 3, 7, 7], &rng, -1, 1)
        let executor = try Executor(program: s.program)
        let scope = Scope(s.scope.tensors)
        let before = try evalOutputs(executor, scope, image)
        for name in ["conv.w", "dw.w", "pw.w", "conv.b", "bn2.scale"] {
            scope.tensors[name]?.withUnsafeMutableFloats { w in for i in w.indices { w[i] *= -0.5 } }
        }
        let changed = try evalOutputs(executor, scope, image)
        let fresh = try evalOutputs(try Executor(program: s.program), Scope(scope.tensors), image)
        XCTAssertNotEqual(changed.fused, before.fused)
        assertClose(changed.fused, fresh.fused, "after in-place weight changes")
        assertClose(changed.written, fresh.written, "after in-place weight changes, as written")
        try executor.run(feeds: ["image": image], scope: scope, mode: .train)
        let trained = try evalOutputs(executor, scope, image)
        let freshTrained = try evalOutputs(try Executor(program: s.program), Scope(scope.tensors), image)
        XCTAssertNotEqual(trained.fused, changed.fused, "the train run moved the running statistics")
        assertClose(trained.fused, freshTrained.fused, "after a train run")
    }
}

/// Fully connected layers (`mul` + bias `elementwise_add` + activation, as `ProgramBuilder.fc`
/// writes them) run as one matmul with bias and post-op in eval runs.
extension ExecutorInferenceFusionTests {
    /// image [N, 12] -> fc 7 + relu -> fc 5 (bias axis -1) + leaky_relu -> fc 3 without bias -> softmax.
    func fullyConnected() throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 12]))
        s.program.feeds = ["image"]
        s.parameter("fc1.w", [12, 7])
        s.parameter("fc1.b", [7])
        s.parameter("fc2.w", [7, 5])
        s.parameter("fc2.b", [5])
        s.parameter("fc3.w", [5, 3])
        let columns: [String: Attribute] = ["x_num_col_dims": .int(1), "y_num_col_dims": .int(1)]
        try s.op("mul", ["X": ["image"], "Y": ["fc1.w"]], ["Out": ["fc1.product"]], columns)
        try s.op("elementwise_add", ["X": ["fc1.product"], "Y": ["fc1.b"]], ["Out": ["fc1.sum"]], ["axis": .int(1)])
        try s.op("relu", ["X": ["fc1.sum"]], ["Out": ["fc1.relu"]])
        try s.op("mul", ["X": ["fc1.relu"], "Y": ["fc2.w"]], ["Out": ["fc2.product"]], columns)
        try s.op("elementwise_add", ["X": ["fc2.product"], "Y": ["fc2.b"]], ["Out": ["fc2.sum"]], ["axis": .int(-1)])
        try s.op("leaky_relu", ["X": ["fc2.sum"]], ["Out": ["fc2.act"]], ["alpha": .float(0.1)])
        try s.op("mul", ["X": ["fc2.act"], "Y": ["fc3.w"]], ["Out": ["fc3.product"]], columns)
        try s.op("softmax", ["X": ["fc3.product"]], ["Out": ["prob"]])
        s.program.fetches = ["prob"]
        return s
    }

    func testFullyConnectedLayersFuseIntoOneMatmulEach() throws {
        let s = try fullyConnected()
        let fusion = OpFusion(s.program, registry: .shared, inference: true)
        XCTAssertEqual(fusion.ops.map(\.type), ["mul", "mul", "mul", "softmax"])
        XCTAssertEqual(fusion.ops[0].inputs["Bias"], ["fc1.b"])
        XCTAssertEqual(fusion.ops[0].string("fuse_activation", default: ""), "relu")
        XCTAssertEqual(fusion.ops[0].outputs["Out"], ["fc1.relu"])
        XCTAssertEqual(fusion.ops[1].inputs["Bias"], ["fc2.b"])
        XCTAssertEqual(fusion.ops[1].string("fuse_activation", default: ""), "leaky_relu")
        XCTAssertEqual(fusion.ops[1].float("fuse_alpha", default: 0), 0.1, accuracy: 1e-7)
        XCTAssertNil(fusion.ops[2].inputs["Bias"])
        XCTAssertEqual(OpFusion(s.program, registry: .shared).ops.count, 8, "train-mode runs keep the ops as written")

        var rng = SeededGenerator(seed: 9)
        let executor = try Executor(program: s.program)
        for batch in [1, 4, 1] {
            let image = OpTestValues.random([batch, 12], &rng, -2, 2)
            let fused = try XCTUnwrap(executor.run(feeds: ["image": image], scope: s.scope, mode: .eval)["prob"])
            let written = try XCTUnwrap(executor.run(feeds: ["image": image], scope: s.scope, mode: .eval,
                                                     fetches: ["prob", "fc1.sum", "fc2.sum"])["prob"])
            assertClose(fused, written, "batch \(batch)")
            XCTAssertEqual(fused.shape, [batch, 3])
            // A fresh executor's (its ops keep no primitive from an earlier batch size).
            let fresh = try XCTUnwrap(Executor(program: s.program).run(feeds: ["image": image], scope: s.scope, mode: .eval)["prob"])
            XCTAssertEqual(fused.floats, fresh.floats, "batch \(batch)")
        }
        // A changed bias reaches the next run; a train run of the fused form is refused.
        s.scope["fc2.b"] = Tensor(shape: [5], floats: [3, -3, 2, -2, 1])
        let image = OpTestValues.random([2, 12], &rng, -2, 2)
        assertClose(try XCTUnwrap(executor.run(feeds: ["image": image], scope: s.scope, mode: .eval)["prob"]),
                    try XCTUnwrap(executor.run(feeds: ["image": image], scope: s.scope, mode: .eval, fetches: ["prob", "fc2.sum"])["prob"]),
                    "after a bias change")
        var fusedProgram = s.program
        fusedProgram.ops = fusion.ops
        XCTAssertThrowsError(try Executor(program: fusedProgram).run(feeds: ["image": image], scope: s.scope, mode: .train)) { error in
            XCTAssertTrue("\(error)".contains("eval runs only"), "\(error)")
        }
    }
}

/// Eval runs drop each value after the last step that reads or writes it (activations freed as
/// the run goes, not at its end); fetched values are kept.
extension ExecutorInferenceFusionTests {
    func testEveryUnfetchedSlotIsReleasedOnceAfterItsLastUse() throws {
        let s = try network()
        let plan = try ExecutionPlan(ops: s.program.ops, registry: .shared)
        let schedule = RunSchedule(plan: plan, ops: Array(s.program.ops.indices), fetches: ["bn1.out", "loss"], program: s.program)
        var releasedAt: [Int: Int] = [:]
        for (k, step) in schedule.steps.enumerated() {
            for slot in step.releases {
                XCTAssertNil(releasedAt[slot], "slot \(slot) released twice")
                releasedAt[slot] = k
            }
        }
        let fetched = Set(schedule.fetches.map { $0.slot })
        XCTAssertEqual(Set(releasedAt.keys), Set(0..<schedule.slotCount).subtracting(fetched))
        for (k, step) in schedule.steps.enumerated() {
            for v in step.inputs + step.outputs where !fetched.contains(v.slot) {
                XCTAssertGreaterThanOrEqual(try XCTUnwrap(releasedAt[v.slot]), k, "\(v.name) released before step \(k) uses it")
            }
        }
        let convOut = try XCTUnwrap(schedule.slotOf["conv.out"])
        XCTAssertEqual(releasedAt[convOut], 1, "conv.out is dropped after the bias add, its only reader")
    }
}
