import XCTest
@testable import SlimGraph
import SlimTensor

/// `Executor.replaysInference`: eval runs replay the recorded oneDNN calls of an earlier run, with
/// outputs bit for bit those of running the ops, and fall back to the ops whenever a replay would
/// not be the same computation.
final class ExecutorReplayTests: XCTestCase {
    typealias Sketch = GradientCheckTests.Sketch

    /// A stem convolution, a ResNet block (conv -> batch_norm + relu -> conv -> batch_norm -> add
    /// of the block input -> relu), max pooling, a fully connected layer and softmax: every op on
    /// primitives. `laterReader`: a 1x1 convolution of the block input after the block, so the
    /// fused residual sum runs on a copy of it (`TensorStorage.copy`, a recorded Swift kernel).
    func network(laterReader: Bool = false) throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 6, 6]))
        s.program.feeds = ["image"]
        s.parameter("stem.w", [4, 3, 3, 3])
        s.parameter("a.w", [4, 4, 3, 3])
        s.parameter("b.w", [4, 4, 3, 3])
        s.parameter("late.w", [4, 4, 1, 1])
        s.parameter("fc.w", [36, 5])
        s.parameter("fc.b", [5])
        for name in ["bn1", "bn2"] { s.batchNormParameters(name, channels: 4) }
        try s.op("conv2d", ["Input": ["image"], "Filter": ["stem.w"]], ["Output": ["stem.out"]], ["paddings": .ints([1, 1])])
        try s.op("relu", ["X": ["stem.out"]], ["Out": ["block.in"]])
        try s.op("conv2d", ["Input": ["block.in"], "Filter": ["a.w"]], ["Output": ["a.out"]], ["paddings": .ints([1, 1])])
        try s.batchNorm("bn1", "a.out", "bn1.out")
        try s.op("relu", ["X": ["bn1.out"]], ["Out": ["a.relu"]])
        try s.op("conv2d", ["Input": ["a.relu"], "Filter": ["b.w"]], ["Output": ["b.out"]], ["paddings": .ints([1, 1])])
        try s.batchNorm("bn2", "b.out", "bn2.out")
        try s.op("elementwise_add", ["X": ["bn2.out"], "Y": ["block.in"]], ["Out": ["sum"]], ["axis": .int(-1)])
        try s.op("relu", ["X": ["sum"]], ["Out": ["block.out"]])
        var pooled = "block.out"
        if laterReader {
            try s.op("conv2d", ["Input": ["block.in"], "Filter": ["late.w"]], ["Output": ["late.out"]])
            try s.op("elementwise_add", ["X": ["block.out"], "Y": ["late.out"]], ["Out": ["joined"]], ["axis": .int(-1)])
            pooled = "joined"
        }
        try s.op("pool2d", ["X": [pooled]], ["Out": ["pool.out"]], ["pooling_type": .string("max"), "ksize": .ints([2, 2]), "strides": .ints([2, 2])])
        try s.op("mul", ["X": ["pool.out"], "Y": ["fc.w"]], ["Out": ["fc.out"]], ["x_num_col_dims": .int(1)])
        try s.op("elementwise_add", ["X": ["fc.out"], "Y": ["fc.b"]], ["Out": ["logits"]], ["axis": .int(1)])
        try s.op("softmax", ["X": ["logits"]], ["Out": ["prob"]])
        s.program.fetches = ["prob"]
        return s
    }


    /// Runs `batches` (image batch sizes) through a replaying executor and one running the ops, on
    /// scopes of the same values; every output equal bit for bit. Returns the replaying executor.
    @discardableResult
    func compare(_ s: Sketch, batches: [Int], seed: UInt64 = 4, change: ((Int, Scope) -> Void)? = nil,
                 file: StaticString = #filePath, line: UInt = #line) throws -> Executor {
        let replaying = try Executor(program: s.program), running = try Executor(program: s.program)
        replaying.replaysInference = true
        let scopes = (Scope(s.scope.tensors), Scope(s.scope.tensors))
        var rng = SeededGenerator(seed: seed)
        var kept: [(Tensor, [Float])] = []
        for (i, batch) in batches.enumerated() {
            change?(i, scopes.0)
            change?(i, scopes.1)
            let image = OpTestValues.random([batch, 3, 6, 6], &rng, -2, 2), before = image.floats
            let got = try XCTUnwrap(replaying.run(feeds: ["image": image], scope: scopes.0, mode: .eval)["prob"], file: file, line: line)
            let expected = try XCTUnwrap(running.run(feeds: ["image": image], scope: scopes.1, mode: .eval)["prob"], file: file, line: line)
            XCTAssertEqual(got.shape, expected.shape, "run \(i)", file: file, line: line)
            XCTAssertEqual(got.floats.map(\.bitPattern), expected.floats.map(\.bitPattern), "run \(i), batch \(batch)", file: file, line: line)
            XCTAssertEqual(image.floats, before, "run \(i): the feed is read, not written", file: file, line: line)
            kept.append((got, got.floats))
        }
        for (i, (tensor, values)) in kept.enumerated() {
            XCTAssertEqual(tensor.floats, values, "run \(i)'s result is the caller's: later replays do not rewrite it", file: file, line: line)
        }
        return replaying
    }

    /// The first run of a kind runs the ops, the second records and checks, later ones replay; a
    /// new batch size is a new kind.
    func testReplayedRunsEqualTheOpsBitForBit() throws {
        let executor = try compare(try network(), batches: [2, 2, 2, 2, 1, 1, 1, 2, 2, 2])
        XCTAssertEqual(executor.replayedRuns, 2 + 1 + 1)
    }

    /// A changed weight (a new scope version) is a new kind of run: recorded again, its output the
    /// new weights'.
    func testAChangedWeightIsRecordedAgain() throws {
        let executor = try compare(try network(), batches: [2, 2, 2, 2, 2, 2, 2]) { i, scope in
            if i == 4, let w = scope["b.w"] { scope["b.w"] = Tensor(shape: w.shape, floats: w.floats.map { $0 * 0.5 }) }
        }
        XCTAssertEqual(executor.replayedRuns, 2 + 1)
    }

    /// The residual sum copies the block input when a later op reads it: the copy is recorded
    /// with the primitives, and the replays equal the ops.
    func testACopiedShortcutIsReplayedToo() throws {
        let executor = try compare(try network(laterReader: true), batches: [2, 2, 2, 2, 2])
        XCTAssertEqual(executor.replayedRuns, 3)
    }

    /// `scale` by a Swift loop that is not recorded, from an op that claims `runsOnPrimitives`:
    /// the recording's check (a replay on other values against the ops) finds the difference, and
    /// the ops run from then on.
    enum UnrecordedScaleOp: Operator {
        static let type = "test_unrecorded_scale"
        static let runsOnPrimitives = true
        static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] { ["Out": inputs["X"] ?? []] }
        static func forward(_ context: OpContext) throws {
            let x = try context.floatInput("X")
            context.setOutput("Out", 0, Tensor(shape: x.shape, floats: x.floats.map { $0 * 2 }))
        }
    }

    func testTheCheckCatchesWorkThatIsNotRecorded() throws {
        var s = try network()
        let registry = OpRegistry()
        registry.register(UnrecordedScaleOp.self)
        s.program.declare(VarDesc(name: "doubled", shape: [-1, 5]))
        s.program.ops.append(OpDesc(type: UnrecordedScaleOp.type, inputs: ["X": ["logits"]], outputs: ["Out": ["doubled"]]))
        s.program.ops.append(OpDesc(type: "softmax", inputs: ["X": ["doubled"]], outputs: ["Out": ["prob2"]]))
        s.program.declare(VarDesc(name: "prob2", shape: [-1, 5]))
        s.program.fetches = ["prob2"]
        let replaying = try Executor(program: s.program, registry: registry), running = try Executor(program: s.program, registry: registry)
        replaying.replaysInference = true
        let scopes = (Scope(s.scope.tensors), Scope(s.scope.tensors))
        var rng = SeededGenerator(seed: 6)
        for run in 0..<5 {
            let image = OpTestValues.random([2, 3, 6, 6], &rng, -2, 2)
            let got = try XCTUnwrap(replaying.run(feeds: ["image": image], scope: scopes.0, mode: .eval)["prob2"])
            let expected = try XCTUnwrap(running.run(feeds: ["image": image], scope: scopes.1, mode: .eval)["prob2"])
            XCTAssertEqual(got.floats.map(\.bitPattern), expected.floats.map(\.bitPattern), "run \(run)")
        }
        XCTAssertEqual(replaying.replayedRuns, 0)
    }

    /// An op not marked `runsOnPrimitives` (`mean`) keeps the run from being recorded.
    func testAnOpOffPrimitivesKeepsTheOpsRunning() throws {
        var s = try network()
        s.program.declare(VarDesc(name: "loss", shape: [1]))
        try s.op("mean", ["X": ["prob"]], ["Out": ["loss"]])
        s.program.fetches = ["prob", "loss"]
        let executor = try compare(s, batches: [2, 2, 2, 2])
        XCTAssertEqual(executor.replayedRuns, 0)
    }

    // MARK: Lanes (a batch cut in one slice per thread, the slices replayed side by side)

    /// Runs `body` with `n` OpenMP threads, then restores the count.
    func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        let before = Kernels.threads
        Kernels.setThreads(n)
        defer { if let before { Kernels.setThreads(before) } }
        return try body()
    }

    /// `fetch` of `program` run by a plain executor (no replay) on rows `range` of `image`, on one thread.
    func sliceByOps(_ s: Sketch, _ image: Tensor, _ range: Range<Int>, fetch: String = "prob") throws -> [UInt32] {
        let slice = Kernels.slice(image, axis: 0, range: range).detachedCopy()
        let executor = try Executor(program: s.program)
        return try withThreads(1) {
            try XCTUnwrap(executor.run(feeds: ["image": slice], scope: Scope(s.scope.tensors), mode: .eval)[fetch]).floats.map(\.bitPattern)
        }
    }

    /// On two threads a batch of 16 or more (8 rows per thread) is recorded in two lanes by its
    /// second run and replays in them from the third: the first 8 or 9 images on one thread, the
    /// rest on the other. Each lane's rows are bit for bit what the ops give for that slice on one
    /// thread, and they agree with the whole batch's ops to rounding; the caller's results stay
    /// theirs.
    func testLargeBatchesReplayInLanes() throws {
        let s = try network(laterReader: true)
        try withThreads(2) {
            let replaying = try Executor(program: s.program), running = try Executor(program: s.program)
            replaying.replaysInference = true
            let scope = Scope(s.scope.tensors)
            var rng = SeededGenerator(seed: 11)
            var kept: [(Tensor, [Float])] = []
            for (run, batch) in [17, 17, 17, 17, 17, 16, 16, 16, 16].enumerated() {
                let image = OpTestValues.random([batch, 3, 6, 6], &rng, -2, 2), before = image.floats
                let got = try XCTUnwrap(replaying.run(feeds: ["image": image], scope: scope, mode: .eval)["prob"])
                XCTAssertEqual(image.floats, before, "run \(run): the feed is read, not written")
                let whole = try XCTUnwrap(running.run(feeds: ["image": image], scope: Scope(s.scope.tensors), mode: .eval)["prob"])
                XCTAssertEqual(got.shape, whole.shape)
                for (a, b) in zip(got.floats, whole.floats) { XCTAssertEqual(a, b, accuracy: 1e-6, "run \(run)") }
                kept.append((got, got.floats))
                guard run != 0 && run != 5 else { continue }   // the first run of a batch size runs the ops
                let first = (batch + 1) / 2
                let rows = 5 * first
                XCTAssertEqual(Array(got.floats.map(\.bitPattern)[..<rows]), try sliceByOps(s, image, 0..<first), "run \(run), lane 0")
                XCTAssertEqual(Array(got.floats.map(\.bitPattern)[rows...]), try sliceByOps(s, image, first..<batch), "run \(run), lane 1")
            }
            // Batch 17: runs 1-2 run the ops (the second records and checks), 3-5 replay; batch 16 likewise.
            XCTAssertEqual(replaying.laneReplayedRuns, 3 + 2)
            XCTAssertEqual(replaying.replayedRuns, 3 + 2)
            for (i, (tensor, values)) in kept.enumerated() { XCTAssertEqual(tensor.floats, values, "run \(i)'s result is the caller's") }
        }
    }

    /// Smaller batches, and any batch on one thread, replay whole.
    func testSmallBatchesAndOneThreadReplayWhole() throws {
        let s = try network()
        try withThreads(2) { XCTAssertEqual(try compare(s, batches: [15, 15, 15, 15]).laneReplayedRuns, 0) }
        try withThreads(1) {
            let executor = try compare(s, batches: [16, 16, 16, 16])
            XCTAssertEqual(executor.replayedRuns, 2)
            XCTAssertEqual(executor.laneReplayedRuns, 0)
        }
    }

    /// A softmax over rows that a reshape made of several images mixes the batch: a slice gives
    /// other values than the whole batch, so the lanes fail their check and the run replays whole,
    /// bit for bit the ops.
    func testAnOpMixingImagesKeepsTheWholeBatch() throws {
        var s = try network()
        for name in ["pairs", "pairs.prob", "mixed"] { s.program.declare(VarDesc(name: name, shape: [-1, 5])) }
        try s.op("reshape2", ["X": ["logits"]], ["Out": ["pairs"]], ["shape": .ints([2, -1])])
        try s.op("softmax", ["X": ["pairs"]], ["Out": ["pairs.prob"]])
        try s.op("reshape2", ["X": ["pairs.prob"]], ["Out": ["mixed"]], ["shape": .ints([-1, 5])])
        s.program.fetches = ["mixed"]
        try withThreads(2) {
            let replaying = try Executor(program: s.program), running = try Executor(program: s.program)
            replaying.replaysInference = true
            let scope = Scope(s.scope.tensors)
            var rng = SeededGenerator(seed: 12)
            for run in 0..<5 {
                let image = OpTestValues.random([16, 3, 6, 6], &rng, -2, 2)
                let got = try XCTUnwrap(replaying.run(feeds: ["image": image], scope: scope, mode: .eval)["mixed"])
                let expected = try XCTUnwrap(running.run(feeds: ["image": image], scope: Scope(s.scope.tensors), mode: .eval)["mixed"])
                XCTAssertEqual(got.floats.map(\.bitPattern), expected.floats.map(\.bitPattern), "run \(run)")
            }
            XCTAssertEqual(replaying.laneReplayedRuns, 0)
            XCTAssertEqual(replaying.replayedRuns, 3)
        }
    }
}
