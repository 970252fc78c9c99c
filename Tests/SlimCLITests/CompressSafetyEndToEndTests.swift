import Foundation
import XCTest

/// `slim compress` on inputs that used to crash it or lose data: folders it did not write,
/// impossible iteration counts, a lowered epoch, a renamed or reconfigured strategy, and
/// processes stopped at named points (`SLIM_TEST_KILL_AT`) that must resume byte-identical.
final class CompressSafetyEndToEndTests: XCTestCase {
    let compress = ["compress", "-s", "slim.yaml", "-c", "model.yml"]

    func prepared(epochs: Int) throws -> SlimRunner {
        let slim = try SlimRunner()
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: epochs))
        return slim
    }

    func testAFolderNamedByAnEpochThatIsNotACheckpointIsRefusedAndKept() throws {
        let slim = try prepared(epochs: 2)
        defer { slim.cleanUp() }
        try FileManager.default.createDirectory(atPath: slim.path("checkpoints/0/notes"), withIntermediateDirectories: true)
        try slim.write("checkpoints/0/notes/mine.txt", "my notes")
        let r = try slim.run(compress)
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("checkpoints/0") && r.err.contains("not a slim checkpoint"), r.err)
        XCTAssertEqual(slim.bytes("checkpoints/0/notes/mine.txt"), Data("my notes".utf8), "the user's folder is untouched")
        XCTAssertFalse(r.out.contains("epoch 0 eval"), "refused before training: \(r.out)")
    }

    func testMaxItersBelowOneIsAConfigError() throws {
        let slim = try prepared(epochs: 1)
        defer { slim.cleanUp() }
        try slim.write("ptq.yaml", """
            strategies:
              ptq: {class: PostTrainingQuantizationStrategy, algo: abs_max, batch_nums: 1, int8_model_save_path: ./ptq/int8}
            compressor: {epoch: 1, checkpoint_path: ./ptq_checkpoints/, strategies: [ptq]}

            """)
        for (slimYAML, value) in [("slim.yaml", "0"), ("slim.yaml", "-3"), ("ptq.yaml", "0")] {
            let r = try slim.run(["compress", "-s", slimYAML, "-c", "model.yml", "-o", "max_iters=\(value)"])
            XCTAssertEqual(r.status, 65, "\(slimYAML) max_iters=\(value): \(r.err)")
            XCTAssertTrue(r.err.contains("max_iters must be at least 1"), r.err)
        }
        XCTAssertNil(slim.bytes("checkpoints/0/context.json"))
    }

    func testResumeAtOrPastALoweredEpochHasNothingToDo() throws {
        let slim = try prepared(epochs: 3)
        defer { slim.cleanUp() }
        XCTAssertEqual(try slim.run(compress).status, 0)
        let before = slim.bytes("checkpoints/2/model/__params__")
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2))
        let r = try slim.run(compress)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("nothing to train"), r.out)
        XCTAssertEqual(slim.bytes("checkpoints/2/model/__params__"), before)
    }

    func testACheckpointOfARenamedOrReconfiguredStrategyIsNotRestored() throws {
        let slim = try prepared(epochs: 2)
        defer { slim.cleanUp() }
        XCTAssertEqual(try slim.run(compress).status, 0)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 3).replacingOccurrences(of: "quantization_strategy", with: "qat"))
        let renamed = try slim.run(compress)
        XCTAssertEqual(renamed.status, 65, renamed.err)
        XCTAssertTrue(renamed.err.contains("no record of strategy 'qat'") && renamed.err.contains("quantization_strategy"), renamed.err)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 3, weight: "channel_wise_abs_max"))
        let reconfigured = try slim.run(compress)
        XCTAssertEqual(reconfigured.status, 65, reconfigured.err)
        XCTAssertTrue(reconfigured.err.contains("weights abs_max 8 bit") && reconfigured.err.contains("channel_wise_abs_max"), reconfigured.err)
        XCTAssertNil(slim.bytes("checkpoints/2/context.json"), "nothing trained")
    }

    /// Stops a run at `point`, checks what it left, resumes it and compares every model file with
    /// the uninterrupted run's.
    func assertKilledAt(_ point: String, straight: SlimRunner, leaves check: (SlimRunner) throws -> Void) throws {
        let killed = try prepared(epochs: 3)
        defer { killed.cleanUp() }
        let stopped = try killed.run(compress, environment: ["SLIM_TEST_KILL_AT": point])
        XCTAssertEqual(stopped.status, 137, "\(point): the run should stop there: \(stopped.err)")
        try check(killed)
        let resumed = try killed.run(compress)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from"), resumed.out)
        let hidden = (try? FileManager.default.contentsOfDirectory(atPath: killed.path("checkpoints"))) ?? []
        XCTAssertEqual(hidden.filter { $0.hasPrefix(".") }, [], "\(point): stale temporary folders are removed")
        for file in ["checkpoints/2/model/__params__", "quant/float/model", "quant/float/weights", "quant/int8/model", "quant/int8/weights"] {
            let a = try XCTUnwrap(straight.bytes(file), file)
            XCTAssertEqual(a, killed.bytes(file), "\(point): \(file) differs between the straight and the resumed run")
        }
    }

    func testRunsStoppedDuringACheckpointSaveOrBeforeTheFreezeResumeByteIdentical() throws {
        let straight = try prepared(epochs: 3)
        defer { straight.cleanUp() }
        XCTAssertEqual(try straight.run(compress).status, 0)
        try assertKilledAt("checkpoint-written-1", straight: straight) { killed in
            XCTAssertNotNil(killed.bytes("checkpoints/0/context.json"))
            XCTAssertNil(killed.bytes("checkpoints/1/context.json"), "a checkpoint is in place whole or not at all")
            let names = try FileManager.default.contentsOfDirectory(atPath: killed.path("checkpoints"))
            XCTAssertTrue(names.contains { $0.hasPrefix(".1.tmp-") }, "the killed save leaves its hidden folder: \(names)")
        }
        try assertKilledAt("checkpoint-saved-2", straight: straight) { killed in
            XCTAssertNotNil(killed.bytes("checkpoints/2/context.json"))
            XCTAssertNil(killed.bytes("quant/int8/weights"), "stopped before the freeze")
        }
    }
}
