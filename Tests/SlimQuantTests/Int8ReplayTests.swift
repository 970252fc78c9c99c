import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// `Executor.replaysInference` on lowered INT8 programs: the quantizer of a static scale and the
/// split of signed activations (Swift kernels over fixed buffers) are recorded with the int8
/// primitives, and replays give the outputs of running the ops bit for bit; programs with a
/// dynamic scale or a gate keep running their ops.
final class Int8ReplayTests: XCTestCase {
    /// Runs `runs` batches of `batch` images through a replaying executor and one running the ops, on the
    /// lowered program; every output equal bit for bit. Returns the replaying executor.
    func compare(_ p: Int8Pipeline, _ data: TemplateData, runs: Int = 6, batch: Int = 4, file: StaticString = #filePath,
                 line: UInt = #line) throws -> Executor {
        let replaying = try Executor(program: p.lowered), running = try Executor(program: p.lowered)
        replaying.replaysInference = true
        let scopes = (Scope(p.loweredParams), Scope(p.loweredParams))
        for run in 0..<runs {
            let images = data.batch(batch, seed: 300 + UInt64(run)).images
            let got = try XCTUnwrap(replaying.run(feeds: [p.image: images], scope: scopes.0, mode: .eval, fetches: [p.output])[p.output])
            let expected = try XCTUnwrap(running.run(feeds: [p.image: images], scope: scopes.1, mode: .eval, fetches: [p.output])[p.output])
            XCTAssertEqual(got.floats.map(\.bitPattern), expected.floats.map(\.bitPattern), "run \(run)", file: file, line: line)
        }
        return replaying
    }

    func testStaticScalesReplay() throws {
        for (model, classes) in [(try TinyResidualNet().build(inputShape: [2, 8, 8], seed: 3), 5),
                                 (try IdentityResidualNet().build(inputShape: [2, 8, 8], seed: 6), 5),
                                 (try SignedDepthwiseNet().build(inputShape: [2, 8, 8], seed: 5), 5)] {
            let data = TemplateData(shape: [2, 8, 8], classes: classes, seed: 7)
            let p = try Int8Pipeline(model, data: data)
            let executor = try compare(p, data)
            XCTAssertEqual(executor.replayedRuns, 4, "\(p.loweredTypes)")
            // The residual's bytes, read by a quantizer (a recorded Swift step) and then summed
            // into by the block's last convolution, are written in place: a replay copies nothing.
            XCTAssertEqual(executor.replayCopiedBytes, 0, "\(p.loweredTypes)")
        }
    }

    /// A signed activation read by a convolution and by a fully connected layer runs as two
    /// unsigned halves on CPUs without VNNI (`Kernels.signedParts`, `Int8SignedInput.matmul`, both
    /// recorded); with VNNI it is read as it is. Either way replayed.
    func testSignedActivationsReplay() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 4, seed: 9)
        let p = try Int8Pipeline(TwoConvNet().build(inputShape: [2, 8, 8], seed: 2), data: data, activations: .movingAverageAbsMax)
        let executor = try compare(p, data)
        XCTAssertEqual(executor.replayedRuns, 4, "\(p.loweredTypes)")
    }

    /// The gate multiplies the quantizer's input by values of the run (`Multiplier`) and a
    /// dynamic scale is the run's max |X|: neither program is recorded.
    func testGatesAndDynamicScalesRunTheOps() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 7)
        let gated = try Int8Pipeline(TinySENet().build(inputShape: [2, 8, 8], seed: 4), data: data)
        XCTAssertEqual(try compare(gated, data).replayedRuns, 0, "\(gated.loweredTypes)")
        let four = TemplateData(shape: [2, 8, 8], classes: 4, seed: 9)
        let dynamic = try Int8Pipeline(TwoConvNet().build(inputShape: [2, 8, 8], seed: 1), data: four, activations: .absMax)
        XCTAssertEqual(try compare(dynamic, four).replayedRuns, 0, "\(dynamic.loweredTypes)")
    }

    /// On two threads a batch of 16 replays in two lanes of 8 images, each on its own thread with
    /// its own int8 primitives: integer kernels sum exactly, so the outputs are the whole batch's
    /// ops' bit for bit.
    func testLargeBatchesReplayInLanes() throws {
        let before = Kernels.threads
        Kernels.setThreads(2)
        defer { if let before { Kernels.setThreads(before) } }
        for (model, classes) in [(try TinyResidualNet().build(inputShape: [2, 8, 8], seed: 3), 5),
                                 (try IdentityResidualNet().build(inputShape: [2, 8, 8], seed: 6), 5),
                                 (try TwoConvNet().build(inputShape: [2, 8, 8], seed: 2), 4)] {
            let data = TemplateData(shape: [2, 8, 8], classes: classes, seed: 7)
            let p = try Int8Pipeline(model, data: data)
            let executor = try compare(p, data, batch: 16)
            XCTAssertEqual(executor.laneReplayedRuns, 4, "\(p.loweredTypes)")
            XCTAssertEqual(executor.replayCopiedBytes, 0, "\(p.loweredTypes)")
        }
    }
}
