import SlimGraph
import SlimTensor
import SlimTestSupport
import XCTest
@testable import SlimCompress

/// Channel groups, pruned shapes and FLOPs of the zoo models; a pruned model computes what the
/// unpruned model computes with the removed channels masked out.
final class FilterPrunerTests: XCTestCase {
    func lenet() -> BuiltModel { LeNet5().build(inputShape: [1, 28, 28], seed: 1) }
    func mobilenet() -> BuiltModel { MobileNetV1(scale: 0.25).build(inputShape: [1, 32, 32], seed: 1) }
    func resnet20() throws -> BuiltModel { try ResNet(depth: 20).build(inputShape: [1, 28, 28], seed: 1) }

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
        let r = try XCTUnwrap(try target.bisect(budget: budget, upper: 0.999, ratios: target.uniform))
        let kept = target.kept(ratios: target.uniform(r))
        let (pruned, tensors) = prunedKeepingFirst(kept, of: m, by: target)
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
        let pruned = prunedKeepingFirst(target.kept(ratios: target.uniform(0.5)), of: m, by: target).program
        XCTAssertNoThrow(try pruned.verify())
        XCTAssertLessThan(try inferenceFlops(pruned, m), try target.flops() / 3)
    }

    /// The head's output convs feed `yolo_box` and the loss: matching them is a clear error.
    func testYOLOv3OutputConvsAreAClearError() throws {
        let m = try TinyYOLOv3.model(seed: 1)
        XCTAssertThrowsError(try PruneTarget(program: m.program, interface: m.interface, pattern: ".*")) { error in
            XCTAssertTrue("\(error)".contains("'yolo_output.0.conv.weights' matches pruned_params but its output channels cannot be pruned"), "\(error)")
        }
        let backbone = try PruneTarget(program: m.program, interface: m.interface, pattern: "conv2_.*_sep_weights")
        XCTAssertEqual(backbone.groups.count, 2)
        let pruned = prunedKeepingFirst(backbone.kept(ratios: backbone.uniform(0.5)), of: m, by: backbone).program
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
}
