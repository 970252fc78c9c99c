import Foundation
import XCTest

/// A compress run killed with SIGKILL and restarted ends byte-identical to an uninterrupted one.
final class CompressResumeEndToEndTests: XCTestCase {
    func prepare(_ slim: SlimRunner) throws {
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 4))
    }

    func testKilledRunResumesBitIdentical() throws {
        let straight = try SlimRunner(), killed = try SlimRunner()
        defer { straight.cleanUp(); killed.cleanUp() }
        try prepare(straight)
        try prepare(killed)
        let args = ["compress", "-s", "slim.yaml", "-c", "model.yml"]
        let full = try straight.run(args)
        XCTAssertEqual(full.status, 0, full.err)

        // Kill during epoch 2 (the third of four): as soon as checkpoint 1 is complete.
        XCTAssertTrue(try killed.killedRun(args, when: "checkpoints/1/strategies.json"), "the run ended before it could be killed")
        XCTAssertNil(killed.bytes("checkpoints/3/context.json"))

        let resumed = try killed.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from"), resumed.out)
        for file in ["checkpoints/3/model/__params__", "checkpoints/3/eval_model/__params__", "quant/float/weights", "quant/int8/weights"] {
            let a = straight.bytes(file), b = killed.bytes(file)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, b, "\(file) differs between the straight and the resumed run")
        }
    }

    func testTruncatedLatestCheckpointIsSkippedWithAWarning() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try prepare(slim)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2))
        XCTAssertEqual(try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"]).status, 0)
        let params = slim.path("checkpoints/1/model/__params__")
        let bytes = try XCTUnwrap(slim.bytes("checkpoints/1/model/__params__"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: params))
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 3))
        let r = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("warning: skipping checkpoint") && r.out.contains("checkpoints/1"), r.out)
        XCTAssertTrue(r.out.contains("resuming from") && r.out.contains("at epoch 1"), r.out)
        XCTAssertNotNil(slim.bytes("checkpoints/2/context.json"))
    }
}
