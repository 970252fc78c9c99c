import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// Channel groups, pruned shapes and FLOPs of the zoo models; a pruned model computes what the
/// unpruned model computes with the removed channels masked out.
final class FilterPrunerTests: XCTestCase {
    func lenet() -> BuiltModel { LeNet5().build(inputShape: [1, 28, 28], seed: 1) }
    func mobilenet() -> BuiltModel { MobileNetV1(scale: 0.25).build(inputShape: [1, 32, 32], seed: 1) }
    func resnet20() throws -> BuiltModel { try ResNet(depth: 20).build(inputShape: [1, 28, 28], seed: 1) }

    func inferenceFlops(_ program: Program, _ m: BuiltModel) throws -> Int {
        FlopsCounter(program: try program.pruned(feeds: m.interface.inferenceFeeds, fetches: m.interface.outputVars)).totalFlops
    }

    func testLeNetGroupsShapesAndFlops() throws {
        let m = lenet()
        let pruner = FilterPruner(program: m.program)
        let g = try XCTUnwrap(pruner.dependency.group(producedBy: "conv2d_1.w_0"))
        XCTAssertTrue(g.isPrunable, g.unsupported ?? "")
        XCTAssertEqual(g.channels, 16)
        XCTAssertTrue(g.members.contains(.init(name: "fc_0.w_0", axis: 0, block: 25)), "\(g.members)")
        XCTAssertTrue(g.members.contains(.init(name: "conv2d_1.b_0", axis: 0, block: 1)))
        var tensors = m.params, state: [String: Tensor] = ["fc_0.w_0_velocity_0": Tensor.filled(1, shape: [400, 120])]
        let pruned = pruner.prune(m.program, keeping: ["conv2d_1.w_0": Array(0..<8)], tensors: &tensors, state: &state)
        XCTAssertNoThrow(try pruned.verify())
        XCTAssertEqual(tensors["conv2d_1.w_0"]?.shape, [8, 6, 5, 5])
        XCTAssertEqual(tensors["fc_0.w_0"]?.shape, [200, 120])
        XCTAssertEqual(state["fc_0.w_0_velocity_0"]?.shape, [200, 120], "optimizer state follows the pruned shapes")
        // conv1 6*28*28*25 + conv2 8*10*10*6*25 + fc 200*120 + 120*84 + 84*10
        XCTAssertEqual(try inferenceFlops(pruned, m), 117_600 + 120_000 + 24_000 + 10_080 + 840)
    }

    func testMobileNetDepthwiseFollowsItsInput() throws {
        let m = mobilenet()
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: ".*_sep_weights")
        XCTAssertEqual(target.groups.count, 13)
        let g = try XCTUnwrap(target.groups.first { $0.key == "conv2_1_sep_weights" })
        XCTAssertTrue(g.members.contains(.init(name: "conv2_2_dw_weights", axis: 0, block: 1)))
        XCTAssertTrue(g.members.contains(.init(name: "conv2_2_sep_weights", axis: 1, block: 1)))
        XCTAssertTrue(g.members.contains(.init(name: "conv2_2_dw_bn_scale", axis: 0, block: 1)))
        let last = try XCTUnwrap(target.groups.first { $0.key == "conv6_sep_weights" })
        XCTAssertTrue(last.members.contains(.init(name: "fc7_weights", axis: 0, block: 1)), "fc input after the global pool")
        let original = try target.flops()
        let budget = original / 2
        let r = try XCTUnwrap(try target.bisect(budget: budget, upper: 0.999) { r in Dictionary(uniqueKeysWithValues: target.groups.map { ($0.key, r) }) })
        var tensors = m.params, state: [String: Tensor] = [:]
        let kept = target.kept(ratios: Dictionary(uniqueKeysWithValues: target.groups.map { ($0.key, r) }))
        let pruned = target.pruner.prune(m.program, keeping: kept.mapValues { Array(0..<$0) }, tensors: &tensors, state: &state)
        XCTAssertNoThrow(try pruned.verify())
        let after = try inferenceFlops(pruned, m)
        XCTAssertLessThanOrEqual(after, budget)
        XCTAssertGreaterThan(after, budget * 9 / 10, "bisection stops near the target")
        let dw = try XCTUnwrap(pruned.ops.first { $0.input("Filter") == "conv2_2_dw_weights" })
        XCTAssertEqual(dw.int("groups", default: 0), kept["conv2_1_sep_weights"])
        XCTAssertEqual(tensors["conv2_2_dw_weights"]?.shape, [kept["conv2_1_sep_weights"] ?? 0, 1, 3, 3])
        XCTAssertEqual(tensors["fc7_weights"]?.shape, [kept["conv6_sep_weights"] ?? 0, 10])
    }

    func testResNetResidualGroupsSharePruning() throws {
        let m = try resnet20()
        let pruner = FilterPruner(program: m.program)
        let prunable = pruner.dependency.groups.filter(\.isPrunable)
        let stage1 = try XCTUnwrap(pruner.dependency.group(producedBy: "conv2d_0.w_0"))
        // The stem and the second conv of each of the 3 stage-1 blocks feed one add chain.
        XCTAssertEqual(stage1.producers.count, 4, "\(stage1.producers)")
        // stage groups: 3 (stage 2 and 3 include their 1x1 shortcut); block-inner convs: 9.
        XCTAssertEqual(prunable.count, 12)
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: ".*")
        let kept = target.kept(ratios: Dictionary(uniqueKeysWithValues: target.groups.map { ($0.key, 0.5) }))
        var tensors = m.params, state: [String: Tensor] = [:]
        let pruned = target.pruner.prune(m.program, keeping: kept.mapValues { Array(0..<$0) }, tensors: &tensors, state: &state)
        XCTAssertNoThrow(try pruned.verify())
        XCTAssertLessThan(try inferenceFlops(pruned, m), try target.flops() / 3)
    }

    func testYOLOv3ConcatGroupsAreAClearError() throws {
        let yolo = YOLOv3(backbone: try MobileNetBackbone(scale: 0.25), head: try YOLOv3Head(numClasses: 3, scale: 0.25), maxBoxes: 4)
        let m = try yolo.build(inputShape: [3, 64, 64], seed: 1)
        XCTAssertThrowsError(try PruneTarget(program: m.program, interface: m.interface, pattern: ".*")) { error in
            XCTAssertTrue("\(error)".contains("cannot be pruned"), "\(error)")
        }
        let backbone = try PruneTarget(program: m.program, interface: m.interface, pattern: "conv2_.*_sep_weights")
        XCTAssertEqual(backbone.groups.count, 2)
        var tensors = m.params, state: [String: Tensor] = [:]
        let kept = backbone.kept(ratios: Dictionary(uniqueKeysWithValues: backbone.groups.map { ($0.key, 0.5) }))
        let pruned = backbone.pruner.prune(m.program, keeping: kept.mapValues { Array(0..<$0) }, tensors: &tensors, state: &state)
        XCTAssertNoThrow(try pruned.verify())
        XCTAssertLessThan(try inferenceFlops(pruned, m), try backbone.flops())
    }

    func testUnmatchedPatternIsAnError() {
        let m = lenet()
        XCTAssertThrowsError(try PruneTarget(program: m.program, interface: m.interface, pattern: "nothing_.*")) { error in
            XCTAssertTrue("\(error)".contains("matches no conv filter"), "\(error)")
        }
    }

    // MARK: pruned == masked

    func testPrunedOutputsEqualMaskedOutputs() throws {
        for (m, pattern) in [(lenet(), ".*w_0"), (mobilenet(), ".*_sep_weights"), (try resnet20(), ".*")] {
            try checkPrunedEqualsMasked(m, pattern: pattern)
        }
    }

    /// Prunes half the channels of every matched group by L1 norm and compares with the
    /// unpruned model whose removed channels are zeroed in every axis-0 member (filters, batch
    /// norm terms, biases): those channels then contribute exactly nothing downstream.
    func checkPrunedEqualsMasked(_ m: BuiltModel, pattern: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var params = m.params
        var g = SeededGenerator(seed: 5)
        for (name, t) in params where m.program.variable(name)?.trainable == true {   // random scales and offsets, so masking matters
            params[name] = Tensor(shape: t.shape, floats: t.floats.map { $0 + Float.random(in: -0.5...0.5, using: &g) * 0.1 })
        }
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: pattern)
        var selection: [String: [Int]] = [:]
        var masked = params
        for grp in target.groups {
            let keep = FilterPruner.keptChannels(grp, removing: grp.channels / 2, params: params)
            selection[grp.key] = keep
            let removed = Set(0..<grp.channels).subtracting(keep)
            for member in grp.members where member.axis == 0 {
                guard let t = masked[member.name] else { continue }
                let per = t.count / t.shape[0]
                var v = t.floats
                for c in removed { for i in (c * member.block * per)..<((c + 1) * member.block * per) { v[i] = 0 } }
                masked[member.name] = Tensor(shape: t.shape, floats: v)
            }
        }
        var tensors = params, state: [String: Tensor] = [:]
        let pruned = target.pruner.prune(m.program, keeping: selection, tensors: &tensors, state: &state)
        let shape = m.interface.feeds[0].shape.map { $0 < 0 ? 2 : $0 }
        var gen = SeededGenerator(seed: 9)
        let image = Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &gen) })
        let out = m.interface.outputVars[0]
        let a = try Executor(program: m.program).run(feeds: ["image": image], scope: Scope(masked), mode: .eval, fetches: [out])[out]
        let b = try Executor(program: pruned).run(feeds: ["image": image], scope: Scope(tensors), mode: .eval, fetches: [out])[out]
        let x = try XCTUnwrap(a, file: file, line: line).floats, y = try XCTUnwrap(b, file: file, line: line).floats
        XCTAssertEqual(x.count, y.count, file: file, line: line)
        for (p, q) in zip(x, y) { XCTAssertEqual(p, q, accuracy: 1e-5, "\(pattern)", file: file, line: line) }
    }
}
