import XCTest
@testable import SlimGraph
import SlimTensor

/// What an executor keeps from one run to the next (per convolution: the checked input shapes and
/// geometry, the folded weights, the bound primitive; per schedule: where the scope's values are,
/// and in eval runs' contexts the weights themselves)
/// must never change a result: every run equals, bit for bit, the run of a fresh executor, also
/// when the batch size, the image size, the scope or a weight changes between runs.
final class ExecutorCachingTests: XCTestCase {
    /// conv2d + bias -> batch_norm -> leaky_relu -> depthwise_conv2d -> batch_norm + relu -> conv2d -> mean
    /// (eval runs fold both batch norms and fuse the activations).
    func network() throws -> GradientCheckTests.Sketch {
        var s = GradientCheckTests.Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 7, 7]))
        s.program.feeds = ["image"]
        s.parameter("conv.w", [6, 3, 3, 3])
        s.parameter("conv.b", [6])
        for name in ["bn1", "bn2"] {
            s.parameter("\(name).scale", [6], 0.5, 1.5)
            s.parameter("\(name).bias", [6], -0.2, 0.2)
            s.parameter("\(name).mean", [6], trainable: false, -0.1, 0.1)
            s.parameter("\(name).var", [6], trainable: false, 0.5, 1.5)
        }
        s.parameter("dw.w", [6, 1, 3, 3])
        s.parameter("pw.w", [5, 6, 1, 1])
        func batchNorm(_ name: String, _ x: String, _ y: String) throws {
            try s.op("batch_norm", ["X": [x], "Scale": ["\(name).scale"], "Bias": ["\(name).bias"], "Mean": ["\(name).mean"], "Variance": ["\(name).var"]],
                     ["Y": [y], "MeanOut": ["\(name).mean"], "VarianceOut": ["\(name).var"], "SavedMean": ["\(name).saved_mean"],
                      "SavedVariance": ["\(name).saved_var"]])
        }
        try s.op("conv2d", ["Input": ["image"], "Filter": ["conv.w"]], ["Output": ["conv.out"]], ["paddings": .ints([1, 1])])
        try s.op("elementwise_add", ["X": ["conv.out"], "Y": ["conv.b"]], ["Out": ["conv.biased"]], ["axis": .int(1)])
        try batchNorm("bn1", "conv.biased", "bn1.out")
        try s.op("leaky_relu", ["X": ["bn1.out"]], ["Out": ["leaky.out"]], ["alpha": .float(0.1)])
        try s.op("depthwise_conv2d", ["Input": ["leaky.out"], "Filter": ["dw.w"]], ["Output": ["dw.out"]],
                 ["paddings": .ints([1, 1]), "strides": .ints([2, 2]), "groups": .int(6)])
        try batchNorm("bn2", "dw.out", "bn2.out")
        try s.op("relu", ["X": ["bn2.out"]], ["Out": ["relu.out"]])
        try s.op("conv2d", ["Input": ["relu.out"], "Filter": ["pw.w"]], ["Output": ["pw.out"]])
        try s.op("mean", ["X": ["pw.out"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }

    func image(_ batch: Int, side: Int = 7, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return OpTestValues.random([batch, 3, side, side], &rng, -1, 1)
    }

    let fetches = ["relu.out", "pw.out", "loss"]

    /// A fresh executor's eval run on a copy of `scope`.
    func fresh(_ program: Program, _ scope: Scope, _ feed: Tensor, resizable: Bool = false) throws -> [String: Tensor] {
        let executor = try Executor(program: program)
        if resizable { executor.resizableFeeds = ["image"] }
        return try executor.run(feeds: ["image": feed], scope: Scope(scope.tensors), mode: .eval, fetches: fetches)
    }

    func assertBitIdentical(_ got: [String: Tensor], _ want: [String: Tensor], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(got.keys), Set(want.keys), message, file: file, line: line)
        for (name, w) in want {
            XCTAssertEqual(got[name]?.shape, w.shape, "\(message) \(name)", file: file, line: line)
            XCTAssertEqual(got[name]?.floats.map(\.bitPattern), w.floats.map(\.bitPattern), "\(message) \(name)", file: file, line: line)
        }
    }

    func testCachedRunsEqualUncachedRunsBitForBit() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        for step in 0..<4 {
            let feed = image(2, seed: UInt64(step % 2))
            let got = try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches)
            assertBitIdentical(got, try fresh(s.program, s.scope, feed), "run \(step)")
        }
    }

    func testBatchAndImageSizeChangesAfterCachingEqualAFreshExecutor() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        executor.resizableFeeds = ["image"]
        for (step, (batch, side)) in [(1, 7), (1, 7), (64, 7), (1, 7), (3, 9), (3, 9), (64, 7), (1, 8)].enumerated() {
            let feed = image(batch, side: side, seed: UInt64(step))
            let got = try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches)
            XCTAssertEqual(got["pw.out"]?.shape.first, batch)
            assertBitIdentical(got, try fresh(s.program, s.scope, feed, resizable: true), "run \(step): batch \(batch), \(side)x\(side)")
        }
    }

    /// relu and elementwise_add run as they are (no conv to fuse into) and keep their primitive
    /// per op (`KernelCallMemo`): new shapes and layouts (a plain feed, a conv's blocked output) must
    /// still give a fresh executor's result.
    func testUnfusedAddAndReluAcrossBatchSizesEqualAFreshExecutor() throws {
        var s = GradientCheckTests.Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 7, 7]))
        s.program.feeds = ["image"]
        s.parameter("a.w", [3, 3, 3, 3])
        s.parameter("b.w", [3, 3, 1, 1])
        try s.op("conv2d", ["Input": ["image"], "Filter": ["a.w"]], ["Output": ["a.out"]], ["paddings": .ints([1, 1])])
        try s.op("conv2d", ["Input": ["image"], "Filter": ["b.w"]], ["Output": ["b.out"]])
        try s.op("elementwise_add", ["X": ["a.out"], "Y": ["b.out"]], ["Out": ["sum"]])
        try s.op("relu", ["X": ["sum"]], ["Out": ["relu.out"]])
        try s.op("elementwise_add", ["X": ["relu.out"], "Y": ["image"]], ["Out": ["residual"]])
        try s.op("relu", ["X": ["image"]], ["Out": ["image.relu"]])
        try s.op("elementwise_add", ["X": ["image.relu"], "Y": ["image"]], ["Out": ["plain.sum"]])
        let fetches = ["residual", "image.relu", "plain.sum"]
        let executor = try Executor(program: s.program)
        for (step, batch) in [1, 1, 4, 1, 2, 4].enumerated() {
            let feed = image(batch, seed: UInt64(20 + step))
            let got = try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches)
            let want = try Executor(program: s.program).run(feeds: ["image": feed], scope: Scope(s.scope.tensors), mode: .eval, fetches: fetches)
            assertBitIdentical(got, want, "run \(step): batch \(batch)")
        }
    }

    func testScopeChangesBetweenCachedRunsAreSeen() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        let feed = image(2, seed: 5)
        try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches)
        // A weight replaced by a new tensor, a running statistic updated in place.
        s.scope["dw.w"] = s.scope["dw.w"].map { w in Tensor(shape: w.shape, floats: w.floats.map { $0 * 0.5 }) }
        assertBitIdentical(try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches),
                           try fresh(s.program, s.scope, feed), "replaced weight")
        s.scope.tensors["bn2.var"]!.withUnsafeMutableFloats { v in for i in v.indices { v[i] += 0.25 } }
        assertBitIdentical(try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches),
                           try fresh(s.program, s.scope, feed), "statistic updated in place")
        // Other scopes, unchanged since made (same version), made and dropped one after another
        // (a new scope may take a freed one's address).
        for k in 0..<4 {
            var tensors = s.scope.tensors
            tensors["pw.w"] = tensors["pw.w"].map { w in Tensor(shape: w.shape, floats: w.floats.map { $0 * Float(k + 2) }) }
            if k % 2 == 1 { tensors["conv.b"] = nil; tensors["conv.b"] = s.scope["conv.b"] }
            let other = Scope(tensors)
            assertBitIdentical(try executor.run(feeds: ["image": feed], scope: other, mode: .eval, fetches: fetches),
                               try fresh(s.program, other, feed), "scope \(k)")
        }
        assertBitIdentical(try executor.run(feeds: ["image": feed], scope: s.scope, mode: .eval, fetches: fetches),
                           try fresh(s.program, s.scope, feed), "first scope again")
    }

    func testScopeCountsInPlaceUpdates() throws {
        let scope = Scope(["a": Tensor(shape: [4], floats: [1, 2, 3, 4])])
        let version = scope.version
        scope.tensors["a"]!.withUnsafeMutableFloats { $0[0] = 9 }
        XCTAssertEqual(scope["a"]?.floats, [9, 2, 3, 4])
        XCTAssertNotEqual(scope.version, version)
        XCTAssertNotEqual(Scope().identity, Scope().identity)
    }

    func testBadShapesAfterCachedRunsStillThrow() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        try executor.run(feeds: ["image": image(2, seed: 1)], scope: s.scope, mode: .eval, fetches: fetches)
        let scope = Scope(s.scope.tensors)
        scope["bn1.mean"] = Tensor(shape: [5], floats: [0, 0, 0, 0, 0])
        XCTAssertThrowsError(try executor.run(feeds: ["image": image(2, seed: 1)], scope: scope, mode: .eval, fetches: fetches)) { error in
            XCTAssertTrue("\(error)".contains("BatchNormMean has shape [5], expected [6]"), "\(error)")
        }
        scope["bn1.mean"] = s.scope["bn1.mean"]
        scope["pw.w"] = Tensor(shape: [5, 4, 1, 1], floats: Array(repeating: 0.5, count: 20))
        XCTAssertThrowsError(try executor.run(feeds: ["image": image(2, seed: 1)], scope: scope, mode: .eval, fetches: fetches)) { error in
            XCTAssertTrue("\(error)".contains("channels"), "\(error)")
        }
        assertBitIdentical(try executor.run(feeds: ["image": image(2, seed: 1)], scope: s.scope, mode: .eval, fetches: fetches),
                           try fresh(s.program, s.scope, image(2, seed: 1)), "after the errors")
    }

    /// Eval runs before a train step leave the train step bit-identical to a fresh executor's.
    func testTrainRunsAfterCachedEvalRunsAreUnchanged() throws {
        let s = try network()
        let cached = try Executor(program: s.program)
        for step in 0..<3 { try cached.run(feeds: ["image": image(2, seed: UInt64(step))], scope: Scope(s.scope.tensors), mode: .eval) }
        let plain = try Executor(program: s.program)
        let (a, b) = (Scope(s.scope.tensors), Scope(s.scope.tensors))
        for step in 0..<2 {
            let feed = image(4, seed: UInt64(10 + step))
            let got = try cached.run(feeds: ["image": feed], scope: a, mode: .train)
            let want = try plain.run(feeds: ["image": feed], scope: b, mode: .train)
            assertBitIdentical(got, want, "train step \(step)")
            assertBitIdentical(try cached.backward(loss: "loss"), try plain.backward(loss: "loss"), "gradients \(step)")
            assertBitIdentical(a.tensors, b.tensors, "scope after step \(step)")
        }
    }

    /// A weight fed in one eval run (a var the program does not declare as a feed) is used in that
    /// run only: the runs before and after read the scope's.
    func testAWeightFedInOneRunIsNotKeptForTheNext() throws {
        let s = try network()
        let executor = try Executor(program: s.program)
        let feed = image(2, seed: 7)
        let doubled = s.scope["pw.w"].map { w in Tensor(shape: w.shape, floats: w.floats.map { $0 * 2 }) }!
        var changed = s.scope.tensors
        changed["pw.w"] = doubled
        for (step, fed) in [false, false, true, false, true, true, false].enumerated() {
            let feeds = fed ? ["image": feed, "pw.w": doubled] : ["image": feed]
            let got = try executor.run(feeds: feeds, scope: s.scope, mode: .eval, fetches: fetches)
            assertBitIdentical(got, try fresh(s.program, fed ? Scope(changed) : s.scope, feed), "run \(step), weight fed: \(fed)")
        }
    }

    /// Eval runs keep the weights in their contexts; a train run lets go of them, so that after it
    /// the scope holds the only reference to a weight that no op keeps a derived form of (here a
    /// shift added by `elementwise_add`): an optimizer then updates its bytes in place.
    func testATrainRunLeavesTheScopeTheOnlyHolderOfItsWeights() throws {
        var s = GradientCheckTests.Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 7, 7]))
        s.program.feeds = ["image"]
        s.parameter("shift", [3, 7, 7])
        try s.op("elementwise_add", ["X": ["image"], "Y": ["shift"]], ["Out": ["shifted"]], ["axis": .int(1)])
        try s.op("mean", ["X": ["shifted"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        let executor = try Executor(program: s.program)
        let scope = Scope(s.scope.tensors)
        s.scope.tensors.removeAll()
        func heldElsewhere() -> Bool {
            var w = scope["shift"]!
            scope["shift"] = nil
            defer { scope["shift"] = w }
            let before = w.withUnsafeBytes { $0.baseAddress }
            return w.withUnsafeMutableFloats { UnsafeRawPointer($0.baseAddress) } != before   // shared bytes are copied first
        }
        XCTAssertFalse(heldElsewhere())
        for step in 0..<2 {
            let got = try executor.run(feeds: ["image": image(2, seed: UInt64(step))], scope: scope, mode: .eval)
            let want = try Executor(program: s.program).run(feeds: ["image": image(2, seed: UInt64(step))], scope: Scope(scope.tensors), mode: .eval)
            XCTAssertEqual(got["loss"]?.floats, want["loss"]?.floats)
        }
        XCTAssertTrue(heldElsewhere(), "eval runs no longer keep their weights: the test checks nothing")
        try executor.run(feeds: ["image": image(2, seed: 3)], scope: scope, mode: .train)
        _ = try executor.backward(loss: "loss")
        XCTAssertFalse(heldElsewhere())
    }
}
