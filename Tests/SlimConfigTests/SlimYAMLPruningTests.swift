import XCTest
@testable import SlimConfig

/// `pruners:` and the pruning strategies in a slim YAML: values, defaults, errors with positions.
final class SlimYAMLPruningTests: XCTestCase {
    private func load(_ yaml: String) throws -> CompressionConfig { try loadSlimYAML(yaml) }

    private func diagnostics(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            XCTFail("no error")
            return []
        } catch let e as ConfigError {
            return e.diagnostics.map { "\($0.mark.line):\($0.mark.column) \($0.message)" }
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    static let pruner = "pruners:\n  pruner_1: {class: StructurePruner, pruning_axis: {'*': 0}, criterions: {'*': l1_norm}}\n"

    func testUniformAndSensitiveValues() throws {
        let config = try load(Self.pruner + """
        strategies:
          uniform: {class: UniformPruneStrategy, pruner: pruner_1, start_epoch: 1, target_ratio: 0.5, pruned_params: '.*_sep_weights', metric_name: acc_top1}
          sensitive:
            class: SensitivePruneStrategy
            pruner: pruner_1
            delta_rate: 0.1
            target_ratio: 0.3
            num_steps: 1
            eval_rate: 0.2
            pruned_params: 'conv.*'
            sensitivities_file: s.data
          quant: {class: QuantizationStrategy, start_epoch: 2, end_epoch: 3}
        compressor: {epoch: 2, strategies: [uniform, quant]}
        """)
        XCTAssertEqual(config.strategies.map(\.name), ["uniform", "quant"])
        guard case .prune(_, let u) = config.strategies[0] else { return XCTFail("\(config.strategies)") }
        XCTAssertEqual(u.kind, .uniform)
        XCTAssertEqual([u.pruner, u.prunedParams, u.metricName], ["pruner_1", ".*_sep_weights", "acc_top1"])
        XCTAssertEqual(u.startEpoch, 1)
        XCTAssertEqual(u.targetRatio, 0.5)
        XCTAssertEqual(config.compressor.epoch, 4)
    }

    func testUnknownPrunerIsReportedAtItsPosition() {
        let found = diagnostics(Self.pruner + """
        strategies:
          uniform: {class: UniformPruneStrategy, pruner: pruner_2, pruned_params: 'conv.*'}
        compressor: {epoch: 1, strategies: [uniform]}
        """)
        XCTAssertEqual(found.map { $0.prefix(5) }, ["4:50 "], "\(found)")
        XCTAssertTrue(found.first?.contains("unknown pruner 'pruner_2'") == true, "\(found)")
    }

    func testQuantizationBeforePruningIsAnError() {
        let found = diagnostics(Self.pruner + """
        strategies:
          uniform: {class: UniformPruneStrategy, pruner: pruner_1, pruned_params: 'conv.*'}
          quant: {class: QuantizationStrategy, start_epoch: 0, end_epoch: 1}
        compressor: {epoch: 2, strategies: [quant, uniform]}
        """)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertTrue(found.first?.hasPrefix("6:44 ") == true, "\(found)")
        XCTAssertTrue(found.first?.contains("strategy 'uniform' (UniformPruneStrategy) comes after quantization strategy 'quant'") == true, "\(found)")
    }

    func testBadValues() {
        let found = diagnostics("""
        pruners:
          p: {class: StructurePruner, criterions: {'*': geometry_median}}
        strategies:
          u: {class: UniformPruneStrategy, pruner: p, target_ratio: 1.0, pruned_params: '(', num_steps: 2}
        compressor: {epoch: 1, strategies: [u]}
        """)
        let text = found.joined(separator: "\n")
        XCTAssertTrue(text.contains("criterions must be {'*': l1_norm}"), text)
        XCTAssertTrue(text.contains("target_ratio must be in (0, 1)"), text)
        XCTAssertTrue(text.contains("not a valid regular expression"), text)
        XCTAssertTrue(text.contains("unknown key 'num_steps'"), text)   // only SensitivePruneStrategy has num_steps
    }

    func testSensitiveNumStepsAboveOneLoadsAndBelowOneIsAnError() throws {
        let config = try load(Self.pruner + """
        strategies:
          s: {class: SensitivePruneStrategy, pruner: pruner_1, pruned_params: 'conv.*', num_steps: 3}
        compressor: {epoch: 1, strategies: [s]}
        """)
        guard case .prune(_, let s) = config.strategies[0] else { return XCTFail("\(config.strategies)") }
        XCTAssertEqual(s.numSteps, 3)
        let found = diagnostics(Self.pruner + """
        strategies:
          s: {class: SensitivePruneStrategy, pruner: pruner_1, pruned_params: 'conv.*', num_steps: 0}
        compressor: {epoch: 1, strategies: [s]}
        """)
        XCTAssertEqual(found, ["4:92 num_steps must be >= 1, found 0"])
    }
}
