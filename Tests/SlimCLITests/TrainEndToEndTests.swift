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
}
