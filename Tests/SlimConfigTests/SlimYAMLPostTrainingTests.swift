import XCTest
@testable import SlimConfig

/// `PostTrainingQuantizationStrategy` in a slim YAML: defaults, values, errors with positions.
final class SlimYAMLPostTrainingTests: XCTestCase {
    private func load(_ yaml: String) throws -> CompressionConfig { try loadSlimYAML(yaml) }

    func testDefaultsAndEpoch() throws {
        let config = try load("""
        strategies:
          ptq: {class: PostTrainingQuantizationStrategy}
        compressor:
          epoch: 0
          strategies: [ptq]
        """)
        guard case .postTrainingQuantization(let name, let c)? = config.strategies.first else { return XCTFail("\(config.strategies)") }
        XCTAssertEqual(name, "ptq")
        XCTAssertEqual(c, PostTrainingQuantizationStrategyConfig())
        XCTAssertEqual([c.algo, c.weightQuantizeType.rawValue], ["KL", "channel_wise_abs_max"])
        XCTAssertEqual([c.batchNums, c.weightBits, c.activationBits], [10, 8, 8])
        XCTAssertEqual(c.histPercent, 0.9999)
        XCTAssertEqual(config.compressor.epoch, 1, "calibration counts as end_epoch 0")
    }

    func testValues() throws {
        let config = try load("""
        strategies:
          ptq:
            class: PostTrainingQuantizationStrategy
            algo: mix
            batch_nums: 4
            hist_percent: 1
            weight_quantize_type: abs_max
            weight_bits: 7
            float_model_save_path: out/float
            int8_model_save_path: out/int8
            eval_model_save_path: out/eval_model
            save_in_nodes: [image]
            save_out_nodes: [fc_2.tmp_2]
        compressor: {epoch: 1, strategies: [ptq]}
        """)
        guard case .postTrainingQuantization(_, let c)? = config.strategies.first else { return XCTFail() }
        XCTAssertEqual(c.algo, "mix")
        XCTAssertEqual([c.batchNums, c.weightBits], [4, 7])
        XCTAssertEqual(c.histPercent, 1)
        XCTAssertEqual(c.weightQuantizeType, .absMax)
        XCTAssertEqual([c.floatModelSavePath, c.int8ModelSavePath, c.evalModelSavePath], ["out/float", "out/int8", "out/eval_model"])
        XCTAssertEqual(c.saveInNodes + c.saveOutNodes, ["image", "fc_2.tmp_2"])
    }

    func testErrorsHavePositions() {
        let yaml = """
        strategies:
          ptq:
            class: PostTrainingQuantizationStrategy
            algo: kl
            batch_nums: 0
            hist_percent: 1.5
            start_epoch: 0
        compressor: {epoch: 1, strategies: [ptq]}
        """
        XCTAssertThrowsError(try load(yaml)) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)") }
            let found = e.diagnostics.map { "\($0.mark.line):\($0.mark.column)" }
            XCTAssertEqual(found, ["4:11", "5:17", "6:19", "7:5"], "\(e)")
            XCTAssertTrue(e.description.contains("did you mean 'KL'?"), "\(e)")
            XCTAssertTrue(e.description.contains("batch_nums must be > 0"), "\(e)")
            XCTAssertTrue(e.description.contains("hist_percent must be in (0, 1]"), "\(e)")
            XCTAssertTrue(e.description.contains("unknown key 'start_epoch'"), "\(e)")
        }
    }

    func testAsymmetricActivations() throws {
        let config = try load("strategies:\n  p: {class: PostTrainingQuantizationStrategy, algo: avg, activation_mode: asymmetric}\ncompressor: {epoch: 1, strategies: [p]}\n")
        guard case .postTrainingQuantization(_, let c)? = config.strategies.first else { return XCTFail() }
        XCTAssertEqual(c.activationMode, "asymmetric")
        let yaml = "strategies:\n  p:\n    class: PostTrainingQuantizationStrategy\n    algo: KL\n    activation_mode: asymmetric\ncompressor: {epoch: 1, strategies: [p]}\n"
        XCTAssertThrowsError(try load(yaml)) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.diagnostics.map { "\($0.mark.line):\($0.mark.column)" }, ["5:22"], "\(e)")
            XCTAssertTrue(e.description.contains("calibrated with algo abs_max or avg"), "\(e)")
        }
        XCTAssertThrowsError(try load("strategies:\n  p: {class: PostTrainingQuantizationStrategy, activation_mode: asym}\ncompressor: {epoch: 1, strategies: [p]}\n")) {
            XCTAssertTrue("\($0)".contains("did you mean 'asymmetric'?"), "\($0)")
        }
    }

    func testTheClassIsSuggested() {
        XCTAssertThrowsError(try load("strategies:\n  p: {class: PostTrainingQuantizationStrategie}\ncompressor: {epoch: 1, strategies: [p]}\n")) {
            XCTAssertTrue("\($0)".contains("did you mean 'PostTrainingQuantizationStrategy'?"), "\($0)")
        }
    }
}
