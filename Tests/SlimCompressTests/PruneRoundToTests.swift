import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// `round_to`: each pruned conv keeps a multiple of round_to channels, and the uniform ratio's
/// bisection still stops at the FLOPs budget.
final class PruneRoundToTests: XCTestCase {
    func testRoundingToTheNearestMultipleWithinBounds() {
        XCTAssertEqual(PruneTarget.rounded(85, to: 1, channels: 128), 85)
        XCTAssertEqual(PruneTarget.rounded(85, to: 16, channels: 128), 80)
        XCTAssertEqual(PruneTarget.rounded(89, to: 16, channels: 128), 96)
        XCTAssertEqual(PruneTarget.rounded(85, to: 8, channels: 128), 88)
        XCTAssertEqual(PruneTarget.rounded(3, to: 16, channels: 128), 16, "at least one multiple")
        XCTAssertEqual(PruneTarget.rounded(11, to: 16, channels: 16), 16, "a conv with at most round_to channels keeps them")
        XCTAssertEqual(PruneTarget.rounded(27, to: 16, channels: 28), 28, "never more than the conv had")
    }

    func testMobileNetKeepsMultiplesAndMeetsTheBudget() throws {
        let m = MobileNetV1(scale: 0.25).build(inputShape: [1, 32, 32], seed: 1)
        for multiple in [8, 16] {
            let target = try PruneTarget(program: m.program, interface: m.interface, pattern: ".*_sep_weights", roundTo: multiple)
            let budget = try target.flops() / 2
            let r = try XCTUnwrap(try target.bisect(budget: budget, upper: 0.999, ratios: target.uniform))
            let kept = target.kept(ratios: target.uniform(r))
            for g in target.groups {
                let k = try XCTUnwrap(kept[g.key])
                XCTAssertTrue(k % multiple == 0 || k == g.channels, "\(g.key): \(g.channels) -> \(k) with round_to \(multiple)")
            }
            XCTAssertTrue(target.groups.contains { kept[$0.key] != $0.channels }, "something is pruned")
            XCTAssertLessThanOrEqual(try target.flops(keeping: kept), budget)
            let (pruned, tensors) = prunedKeepingFirst(kept, of: m, by: target)
            XCTAssertNoThrow(try pruned.verify())
            XCTAssertEqual(tensors["conv6_sep_weights"]?.shape.first, kept["conv6_sep_weights"])
        }
    }
}
