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
