import SlimGraph
import SlimTensor
import SlimTestSupport
import XCTest
@testable import SlimCompress

/// Filter pruning through channel concats: each input keeps its own group, and what reads the
/// concat output loses each input's removed channels at that input's offset.
final class ConcatPruningTests: XCTestCase {
    /// conv -> concat -> conv, a residual add of two concats of the same inputs, a concat of that
    /// sum (a concat of a concat) with a fetched conv's output and another conv, and a concat with
    /// the image: a batch norm, a depthwise conv and (after a pool) an fc read the last one.
    ///
    ///     a (8) ─┬ c1 = [a|b] ┐
    ///     b (6) ─┴ c2 = [a|b] ┴ s = c1 + c2 ─ d (10)
    ///     f = [image 3 | u 4 | a 8 | b 6 | d 10] = [image | [u | s | d]]  ─ bn ─ depthwise ─ pool ─ fc
    struct ConcatNet: ZooModel {
        var numClasses = 5

        func logits(_ b: inout ProgramBuilder, image: String) -> String {
            let a = b.convNorm(image, filters: 8, kernel: 3, padding: 1, act: .relu, names: .backbone("a"))
            let bb = b.conv2d(image, filters: 6, kernel: 1, bias: true, act: .relu, names: ("b_weights", "b_bias"))
            let c1 = b.concat([a, bb], axis: 1), c2 = b.concat([a, bb], axis: 1)
            let s = b.add(c1, c2)
            let d = b.convNorm(s, filters: 10, kernel: 3, padding: 1, act: .relu, names: .backbone("d"))
            let u = b.conv2d(image, filters: 4, kernel: 1, names: ("u_weights", ""))
            let e = b.concat([u, s, d], axis: 1)
            let f = b.concat([image, e], axis: 1)
            let n = b.batchNorm(f, act: .relu, names: .backbone("f"))
            let dw = b.conv2d(n, filters: 31, kernel: 3, padding: 1, groups: 31, act: .relu, names: ("dw_weights", ""))
            let p = b.pool2d(dw, type: "max")
            return b.fc(p, size: numClasses)
        }
    }

    /// `ConcatNet` on 8x8 pictures with `u`'s output fetched (so its group cannot be pruned).
    func concatNet() throws -> BuiltModel {
        var m = ConcatNet().build(inputShape: [3, 8, 8], seed: 3)
        let u = try XCTUnwrap(m.program.ops.first { $0.input("Filter") == "u_weights" }?.output("Output"))
        m.program.fetches.append(u)
        return m
    }

    static let concatNetPattern = "a_weights|b_weights|d_weights"

    func testConcatInputsKeepTheirGroupsAndReadersTheirOffsets() throws {
        let m = try concatNet()
        let dep = FilterPruner(program: m.program).dependency
        let a = try XCTUnwrap(dep.group(producedBy: "a_weights")), b = try XCTUnwrap(dep.group(producedBy: "b_weights"))
        let d = try XCTUnwrap(dep.group(producedBy: "d_weights")), u = try XCTUnwrap(dep.group(producedBy: "u_weights"))
        for g in [a, b, d] { XCTAssertTrue(g.isPrunable, "\(g.key): \(g.unsupported ?? "")") }
        XCTAssertEqual([a, b, d].map(\.producers), [["a_weights"], ["b_weights"], ["d_weights"]], "a concat joins no groups")
        XCTAssertFalse(u.isPrunable)
        XCTAssertTrue(u.unsupported?.contains("is fetched") == true, u.unsupported ?? "")
        // d reads [a 8 | b 6]; f is [image 3 | u 4 | a 8 | b 6 | d 10]; the fc reads f's 4x4 blocks.
        XCTAssertTrue(a.members.contains(.init(name: "d_weights", axis: 1, block: 1, offset: 0)), "\(a.members)")
        XCTAssertTrue(b.members.contains(.init(name: "d_weights", axis: 1, block: 1, offset: 8)), "\(b.members)")
        for (g, offset) in [(a, 7), (b, 15), (d, 21)] {
            for name in ["f_bn_scale", "f_bn_offset", "f_bn_mean", "f_bn_variance", "dw_weights"] {
                XCTAssertTrue(g.members.contains(.init(name: name, axis: 0, block: 1, offset: offset)), "\(g.key): \(name) at \(offset)")
            }
            XCTAssertTrue(g.members.contains(.init(name: "fc_0.w_0", axis: 0, block: 16, offset: offset * 16)), "\(g.key): \(g.members)")
            XCTAssertEqual(g.depthwiseOps.count, 1)
        }
        XCTAssertEqual(d.concatVars.map(\.offset).max(), 21)
        XCTAssertThrowsError(try PruneTarget(program: m.program, interface: m.interface, pattern: "u_weights")) { error in
            XCTAssertTrue("\(error)".contains("'u_weights' matches pruned_params but its output channels cannot be pruned"), "\(error)")
        }
    }

    func testConcatPrunedShapesAndFlops() throws {
        let m = try concatNet()
        let pruner = FilterPruner(program: m.program)
        var tensors = m.params, state: [String: Tensor] = ["fc_0.w_0_velocity_0": Tensor.filled(1, shape: [31 * 16, 5])]
        let kept = ["a_weights": [0, 2, 5, 7], "b_weights": [1, 3, 4], "d_weights": [0, 1, 2, 8, 9]]
        let pruned = pruner.prune(m.program, keeping: kept, tensors: &tensors, state: &state)
        XCTAssertNoThrow(try pruned.verify())
        // f keeps [image 3 | u 4 | a 4 | b 3 | d 5] = 19 channels.
        XCTAssertEqual(tensors["a_weights"]?.shape, [4, 3, 3, 3])
        XCTAssertEqual(tensors["b_bias"]?.shape, [3])
        XCTAssertEqual(tensors["d_weights"]?.shape, [5, 7, 3, 3])
        XCTAssertEqual(tensors["u_weights"]?.shape, [4, 3, 1, 1])
        XCTAssertEqual(tensors["f_bn_scale"]?.shape, [19])
        XCTAssertEqual(tensors["dw_weights"]?.shape, [19, 1, 3, 3])
        XCTAssertEqual(tensors["fc_0.w_0"]?.shape, [19 * 16, 5])
        XCTAssertEqual(state["fc_0.w_0_velocity_0"]?.shape, [19 * 16, 5], "optimizer state follows the pruned shapes")
        XCTAssertEqual(pruned.ops.first { $0.input("Filter") == "dw_weights" }?.int("groups", default: 0), 19)
        // The kept input channels of d: a's 0, 2, 5, 7 then b's 1, 3, 4 (at 8 + c).
        let dOriginal = try XCTUnwrap(m.params["d_weights"]), dPruned = try XCTUnwrap(tensors["d_weights"])
        for (j, i) in [0, 2, 5, 7, 9, 11, 12].enumerated() {
            XCTAssertEqual(dPruned.floats[j * 9], dOriginal.floats[i * 9], "input channel \(j) of d is \(i)")
        }
        // The fc rows: image and u whole (0..<7 blocks), then a's, b's and d's kept blocks.
        let rows = Array(0..<7) + [0, 2, 5, 7].map { 7 + $0 } + [1, 3, 4].map { 15 + $0 } + [0, 1, 2, 8, 9].map { 21 + $0 }
        let fcOriginal = try XCTUnwrap(m.params["fc_0.w_0"]).floats, fcPruned = try XCTUnwrap(tensors["fc_0.w_0"]).floats
        for (j, c) in rows.enumerated() {
            XCTAssertEqual(Array(fcPruned[(j * 16 * 5)..<((j + 1) * 16 * 5)]), Array(fcOriginal[(c * 16 * 5)..<((c + 1) * 16 * 5)]), "fc block \(j)")
        }
        // a 4*64*27 + b 3*64*3 + d 5*64*63 + u 4*64*3 + depthwise 19*64*9 + fc 304*5 multiply-adds.
        let flops = FlopsCounter(program: try pruned.pruned(feeds: ["image"], fetches: m.interface.outputVars)).totalFlops
        XCTAssertEqual(flops, 4 * 64 * 27 + 3 * 64 * 3 + 5 * 64 * 63 + 4 * 64 * 3 + 19 * 64 * 9 + 304 * 5)
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: Self.concatNetPattern)
        XCTAssertEqual(try target.flops(keeping: kept.mapValues(\.count)), flops, "the FLOPs of a candidate are the pruned model's")
    }

    func testConcatPrunedOutputsEqualMaskedOutputs() throws {
        try checkPrunedEqualsMasked(try concatNet(), pattern: Self.concatNetPattern)
    }

    /// One input twice (`concat([a, a])`): the group is a member of the reader at both offsets;
    /// a fetched concat output makes its inputs unprunable.
    func testRepeatedInputAndFetchedConcat() throws {
        struct Twice: ZooModel {
            var numClasses = 3
            func logits(_ b: inout ProgramBuilder, image: String) -> String {
                let a = b.convNorm(image, filters: 6, kernel: 3, padding: 1, act: .relu, names: .backbone("a"))
                let aa = b.concat([a, a], axis: 1)
                let d = b.conv2d(aa, filters: 4, kernel: 3, padding: 1, act: .relu, names: ("d_weights", ""))
                let p = b.conv2d(image, filters: 2, kernel: 1, names: ("p_weights", ""))
                let q = b.conv2d(image, filters: 3, kernel: 1, names: ("q_weights", ""))
                let pq = b.concat([p, q, d], axis: 1)
                let pool = b.pool2d(pq, type: "avg", global: true)
                return b.fc(pool, size: numClasses)
            }
        }
        var m = Twice().build(inputShape: [3, 6, 6], seed: 2)
        let a = try XCTUnwrap(FilterPruner(program: m.program).dependency.group(producedBy: "a_weights"))
        XCTAssertTrue(a.members.contains(.init(name: "d_weights", axis: 1, block: 1, offset: 0)))
        XCTAssertTrue(a.members.contains(.init(name: "d_weights", axis: 1, block: 1, offset: 6)))
        try checkPrunedEqualsMasked(m, pattern: "a_weights|d_weights|p_weights|q_weights")

        let pq = try XCTUnwrap(m.program.ops.last { $0.type == "concat" }?.output("Out"))
        m.program.fetches.append(pq)
        let dep = FilterPruner(program: m.program).dependency
        for key in ["p_weights", "q_weights", "d_weights"] {
            let g = try XCTUnwrap(dep.group(producedBy: key))
            XCTAssertTrue(g.unsupported?.contains("joins it into channels that cannot be pruned: '\(pq)' is fetched") == true,
                          "\(key): \(g.unsupported ?? "")")
        }
        XCTAssertTrue(try XCTUnwrap(dep.group(producedBy: "a_weights")).isPrunable, "a reaches the fetched concat only through d")
    }

    /// A residual add of a concat output and a conv's output (or of two different concats) would
    /// tie one group to parts of others: every group involved is unprunable, with the reason.
    func testAddingAConcatToOtherChannelsMakesThemUnprunable() throws {
        struct Mixed: ZooModel {
            var numClasses = 3
            func logits(_ b: inout ProgramBuilder, image: String) -> String {
                let a = b.conv2d(image, filters: 4, kernel: 1, names: ("a_weights", ""))
                let c = b.conv2d(image, filters: 4, kernel: 1, names: ("c_weights", ""))
                let y = b.conv2d(image, filters: 8, kernel: 1, names: ("y_weights", ""))
                let ac = b.concat([a, c], axis: 1)
                let s = b.add(ac, y)
                let p = b.conv2d(image, filters: 2, kernel: 1, names: ("p_weights", ""))
                let q = b.conv2d(image, filters: 6, kernel: 1, names: ("q_weights", ""))
                let pq = b.concat([p, q], axis: 1)
                let t = b.add(s, pq)
                let pool = b.pool2d(t, type: "avg", global: true)
                return b.fc(pool, size: numClasses)
            }
        }
        let m = Mixed().build(inputShape: [3, 4, 4], seed: 1)
        let dep = FilterPruner(program: m.program).dependency
        for key in ["a_weights", "c_weights", "y_weights", "p_weights", "q_weights"] {
            let g = try XCTUnwrap(dep.group(producedBy: key))
            XCTAssertFalse(g.isPrunable, key)
            XCTAssertTrue(g.unsupported?.contains("joins a concat's output with other channels") == true, "\(key): \(g.unsupported ?? "")")
        }
    }

    // MARK: YOLOv3

    /// Every conv but the head's output convs: the backbone, the detection blocks, the transitions.
    static let yoloPattern = #"conv.*_weights|yolo_(block|transition)\..*"#

    func testYOLOv3NeckAndBackbonePruneThroughTheRoutes() throws {
        let m = try TinyYOLOv3.model(seed: 1)
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: Self.yoloPattern)
        XCTAssertEqual(target.groups.count, 14 + 3 * 6 + 2, "every backbone conv, 6 convs per detection block, 2 transitions")
        let keys = Set(target.groups.map(\.key))
        for key in ["conv4_2_sep_weights", "conv3_2_sep_weights", "yolo_transition.0.conv.weights", "yolo_transition.1.conv.weights"] {
            XCTAssertTrue(keys.contains(key), "\(key) feeds a route concat")
        }
        let backbone16 = try XCTUnwrap(target.groups.first { $0.key == "conv4_2_sep_weights" })
        XCTAssertTrue(backbone16.members.contains(.init(name: "conv5_1_dw_weights", axis: 0, block: 1)))
        XCTAssertTrue(backbone16.members.contains(.init(name: "yolo_block.1.0.0.conv.weights", axis: 1, block: 1, offset: 64)),
                      "the route concat puts the 64 upsampled transition channels first")

        let (pruned, tensors) = try checkPrunedEqualsMasked(m, pattern: Self.yoloPattern, fetches: YOLOv3.headOutputs(of: m.program))
        // Halved: the transition (64 -> 32) and conv4_2 (128 -> 64) make the route 96 channels.
        XCTAssertEqual(tensors["yolo_block.1.0.0.conv.weights"]?.shape, [32, 96, 1, 1])
        XCTAssertEqual(tensors["yolo_block.2.0.0.conv.weights"]?.shape, [16, 48, 1, 1], "transition 32 -> 16, conv3_2 64 -> 32")
        XCTAssertEqual(tensors["conv5_1_dw_weights"]?.shape, [64, 1, 3, 3])
        XCTAssertEqual(tensors["yolo_output.0.conv.weights"]?.shape, [24, 128, 1, 1], "the output convs keep their filters")
        XCTAssertEqual(pruned.variable("concat_0.tmp_0")?.shape[1], 96)
        XCTAssertLessThan(try inferenceFlops(pruned, m), try inferenceFlops(m.program, m) / 3)
    }

    /// The FLOPs of the pruned detector counted from its declared shapes (what `slim calops`
    /// prints) equal the multiply-adds of the convs as they run: filter shapes from the pruned
    /// tensors, output shapes from the executed program.
    func testPrunedYOLOv3FlopsMatchWhatRuns() throws {
        let m = try TinyYOLOv3.model(seed: 1)
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: Self.yoloPattern)
        let kept = target.kept(ratios: target.uniform(0.3))
        let (pruned, tensors) = prunedKeepingFirst(kept, of: m, by: target)
        try pruned.verify()
        let heads = YOLOv3.headOutputs(of: pruned)
        let inference = try pruned.pruned(feeds: ["image"], fetches: heads)
        let convs = inference.ops.filter { $0.type == "conv2d" || $0.type == "depthwise_conv2d" }
        let outs = convs.compactMap { $0.output("Output") }
        let image = Tensor.filled(0.5, shape: [1, 3, 64, 64])
        let ran = try Executor(program: inference).run(feeds: ["image": image], scope: Scope(tensors), mode: .eval, fetches: outs)
        var expected = 0
        for op in convs {
            let f = try XCTUnwrap(tensors[op.input("Filter") ?? ""]).shape, y = try XCTUnwrap(ran[op.output("Output") ?? ""]).shape
            expected += y.reduce(1, *) * f[1] * f[2] * f[3]
        }
        let counted = FlopsCounter(program: inference).totalFlops
        XCTAssertEqual(counted, expected)
        XCTAssertEqual(try inferenceFlops(pruned, m), counted, "the detector's inference program adds no multiply-adds past the heads")
        XCTAssertEqual(try target.flops(keeping: kept), counted, "the bisection's FLOPs are the pruned model's")
        XCTAssertLessThan(counted, try target.flops())
    }
}
