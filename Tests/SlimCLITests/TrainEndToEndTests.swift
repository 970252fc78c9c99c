import Foundation
import XCTest

/// `slim train` as a user runs it, on a slice of Fashion-MNIST.
final class TrainEndToEndTests: XCTestCase {
    func testSameSeedGivesBitIdenticalWeightsAndTheLossDecreases() throws {
        let a = try SlimRunner(), b = try SlimRunner()
        defer { a.cleanUp(); b.cleanUp() }
        for slim in [a, b] { try slim.write("model.yml", SlimRunner.tinyModel) }
        let ra = try a.run(["train", "-c", "model.yml", "-o", "epoch=3", "log_iter=1"])
        let rb = try b.run(["train", "-c", "model.yml", "-o", "epoch=3", "log_iter=1"])
        XCTAssertEqual(ra.status, 0, ra.err)
        XCTAssertEqual(rb.status, 0, rb.err)
        let weights = try XCTUnwrap(a.bytes("out/model/last/__params__"))
        XCTAssertEqual(weights, b.bytes("out/model/last/__params__"), "same seed, same data: bit-identical weights")

        let losses = ra.out.split(separator: "\n").compactMap { line -> Double? in
            guard let r = line.range(of: "  loss ") else { return nil }
            return Double(line[r.upperBound...].prefix { !$0.isWhitespace })
        }
        XCTAssertGreaterThan(losses.count, 10, ra.out)
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(last, first * 0.8, "training loss should fall: \(losses)")
    }

    func testOtherSeedGivesOtherWeights() throws {
        let a = try SlimRunner(), b = try SlimRunner()
        defer { a.cleanUp(); b.cleanUp() }
        for slim in [a, b] { try slim.write("model.yml", SlimRunner.tinyModel) }
        XCTAssertEqual(try a.run(["train", "-c", "model.yml", "-o", "epoch=1"]).status, 0)
        XCTAssertEqual(try b.run(["train", "-c", "model.yml", "-o", "epoch=1", "seed=8"]).status, 0)
        XCTAssertNotEqual(a.bytes("out/model/last/__params__"), b.bytes("out/model/last/__params__"))
    }

    private func recordedTop1(_ slim: SlimRunner) throws -> Double {
        let record = try JSONSerialization.jsonObject(with: XCTUnwrap(slim.bytes("out/model/best/eval.json"))) as? [String: Any]
        return try XCTUnwrap((record?["result"] as? [String: Any])?["top1"] as? Double)
    }

    /// A worse run into the same save_dir keeps the earlier best (recorded next to it, or
    /// measured again when the record is gone); --overwrite replaces it.
    func testRetrainingKeepsTheBetterBestUnlessOverwrite() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        XCTAssertEqual(try slim.run(["train", "-c", "model.yml"]).status, 0)
        let best = try XCTUnwrap(slim.bytes("out/model/best/__params__"))

        let worse = ["-o", "epoch=1", "max_iters=1", "LearningRate.base_lr=0", "seed=3"]
        let kept = try slim.run(["train", "-c", "model.yml"] + worse)
        XCTAssertEqual(kept.status, 0, kept.err)
        XCTAssertEqual(slim.bytes("out/model/best/__params__"), best, "the better earlier best is kept")
        XCTAssertNotEqual(slim.bytes("out/model/last/__params__"), best, "last is this run's")
        XCTAssertTrue(kept.out.contains("holds an earlier run's best"), kept.out)
        XCTAssertTrue(kept.out.contains("kept out/model/best of an earlier run"), kept.out)
        let top1 = try recordedTop1(slim)
        XCTAssertGreaterThan(top1, 0.3, "the first run's result")

        try FileManager.default.removeItem(atPath: slim.path("out/model/best/eval.json"))
        XCTAssertEqual(try slim.run(["train", "-c", "model.yml"] + worse).status, 0)
        XCTAssertEqual(slim.bytes("out/model/best/__params__"), best, "measured again without a record, still kept")
        XCTAssertEqual(try recordedTop1(slim), top1, accuracy: 1e-9, "and its result recorded")

        let overwritten = try slim.run(["train", "-c", "model.yml", "--overwrite"] + worse)
        XCTAssertEqual(overwritten.status, 0, overwritten.err)
        XCTAssertNotEqual(slim.bytes("out/model/best/__params__"), best)
        XCTAssertLessThan(try recordedTop1(slim), top1)
    }

    func testABestThatIsNotAModelOfThisDataIsNeverOverwritten() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try FileManager.default.createDirectory(atPath: slim.path("out/model/best"), withIntermediateDirectories: true)
        try slim.write("out/model/best/__params__", "mine")
        let r = try slim.run(["train", "-c", "model.yml", "-o", "epoch=1", "max_iters=1"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("out/model/best") && r.err.contains("--overwrite"), r.err)
        XCTAssertEqual(slim.bytes("out/model/best/__params__"), Data("mine".utf8))
    }

    func testARunTooLongToCountIsAConfigError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        for overrides in [["epoch=9223372036854775807"], ["max_iters=9223372036854775807", "epoch=1"], ["max_iters=4611686018427387904"]] {
            let r = try slim.run(["train", "-c", "model.yml", "-o"] + overrides, timeout: 120)
            XCTAssertEqual(r.status, 65, "\(overrides): \(r.err)")
            XCTAssertTrue(r.err.contains("is too large a run to count"), "\(overrides): \(r.err)")
            XCTAssertNil(slim.bytes("out/model/last/__params__"), "nothing trained")
        }
    }

    func testOutOfRangeModelOptionsAreConfigErrors() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        var cases = ["-2", "0", "100001", "9223372036854775807"].map {
            (["num_classes=\($0)"], "-o #1:1:13: error: num_classes must be in 1...100000, got \($0)")
        }
        cases += [
            (["architecture=MobileNetV1", "MobileNetV1.scale=1e308"], "-o #2:1:19: error: MobileNetV1.scale: must be in (0, 16], got 1e+308"),
            (["architecture=MobileNetV1", "MobileNetV1.scale=.nan"], "MobileNetV1.scale: must be in (0, 16], got nan"),
            (["architecture=MobileNetV1", "MobileNetV1.scale=0"], "MobileNetV1.scale: must be in (0, 16], got 0.0"),
            (["LeNet5.dropout=1"], "-o #1:1:16: error: LeNet5.dropout: must be in [0, 1), got 1.0"),
            (["TrainReader.batch_size=9223372036854775807", "TrainReader.drop_last=false"],
             "-o #1:1:24: error: TrainReader.batch_size: must be in 1...1048576, got 9223372036854775807"),
        ]
        for (overrides, message) in cases {
            let r = try slim.run(["train", "-c", "model.yml", "-o"] + overrides)
            XCTAssertEqual(r.status, 65, "\(overrides): \(r.err)")
            XCTAssertTrue(r.err.contains(message), "\(overrides): expected '\(message)' in\n\(r.err)")
        }
    }
}
