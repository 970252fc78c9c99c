import XCTest
@testable import SlimConfig

/// `round_to` of the pruning strategies: its value, default and range error.
final class SlimYAMLRoundToTests: XCTestCase {
    static let pruner = "pruners:\n  p: {class: StructurePruner, pruning_axis: {'*': 0}, criterions: {'*': l1_norm}}\n"

    func testValueAndDefault() throws {
        let config = try loadSlimYAML(Self.pruner + """
        strategies:
          u: {class: UniformPruneStrategy, pruner: p, pruned_params: 'conv.*', round_to: 16}
          s: {class: SensitivePruneStrategy, pruner: p, pruned_params: 'conv.*'}
        compressor: {epoch: 1, strategies: [u]}
        """)
        guard case .prune(_, let u) = config.strategies[0] else { return XCTFail("\(config.strategies)") }
        XCTAssertEqual(u.roundTo, 16)
        XCTAssertEqual(PruneStrategyConfig(kind: .sensitive, pruner: "p", prunedParams: "c").roundTo, 1)
    }

    func testNonPositiveIsAnErrorAtItsPosition() {
        do {
            _ = try loadSlimYAML(Self.pruner + """
            strategies:
              u: {class: UniformPruneStrategy, pruner: p, pruned_params: 'conv.*', round_to: 0}
            compressor: {epoch: 1, strategies: [u]}
            """)
            XCTFail("no error")
        } catch let e as ConfigError {
            let found = e.diagnostics.map { "\($0.mark.line):\($0.mark.column) \($0.message)" }
            XCTAssertEqual(found, ["4:82 round_to must be >= 1, found 0"])
        } catch { XCTFail("\(error)") }
    }
}
