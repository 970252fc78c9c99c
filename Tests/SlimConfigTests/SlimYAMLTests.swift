import XCTest
@testable import SlimConfig

final class SlimYAMLTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func load(_ yaml: String) throws -> CompressionConfig { try loadSlimYAML(yaml) }

    private func expect(_ yaml: String, _ expected: [(Int, Int, String)], file: StaticString = #filePath, line: UInt = #line) {
        expectSlimYAMLErrors(yaml, expected, file: file, line: line)
    }

    /// PaddleDetection's yolov3_mobilenet_v1_slim.yaml, unchanged.
    func testAPaddleDetectionSlimYAMLLoadsUnchanged() throws {
        let config = try load("""
        version: 1.0
        strategies:
            quantization_strategy:
                class: 'QuantizationStrategy'
                start_epoch: 0
                end_epoch: 4
                float_model_save_path: './output/yolov3/float'
                mobile_model_save_path: './output/yolov3/mobile'
                int8_model_save_path: './output/yolov3/int8'
                weight_bits: 8
                activation_bits: 8
                weight_quantize_type: 'abs_max'
                activation_quantize_type: 'moving_average_abs_max'
                save_in_nodes: ['image', 'im_size']
                save_out_nodes: ['multiclass_nms_0.tmp_0']
        compressor:
            epoch: 5
            checkpoint_path: './checkpoints/'
            strategies:
                - quantization_strategy
        """)
        XCTAssertEqual(config.compressor.epoch, 5)
        XCTAssertEqual(config.compressor.checkpointPath, "./checkpoints/")
        guard case .quantization(let name, let q) = try XCTUnwrap(config.strategies.first) else { return XCTFail() }
        XCTAssertEqual(name, "quantization_strategy")
        XCTAssertEqual(q.endEpoch, 4)
        XCTAssertEqual(q.activationQuantizeType, .movingAverageAbsMax)
        XCTAssertEqual(q.weightQuantizeType, .absMax)
        XCTAssertEqual(q.saveInNodes, ["image", "im_size"])
        XCTAssertEqual(q.mobileModelSavePath, "./output/yolov3/mobile")
    }

    func testReferencesResolveInAnyOrderAndEpochIsRaised() throws {
        let config = try load("""
        compressor:
          epoch: 2
          strategies: [q]
        strategies:
          q: {class: QuantizationStrategy, start_epoch: 1, end_epoch: 6}
        """)
        XCTAssertEqual(config.compressor.epoch, 7, "end_epoch 6 must run: epochs 0..<7")
        XCTAssertEqual(config.strategies.map(\.name), ["q"])
    }

    func testErrorsArePositionedWithSuggestions() {
        expect("""
        version: 1.0
        strategies:
          q:
            class: QuantizationStrategy
            start_epoch: 3
            end_epoch: 1
            weight_quantize_typ: abs_max
            activation_bits: 20
        compresor: {}
        """, [(5, 18, "start_epoch (3) is after end_epoch (1)"), (7, 5, "did you mean 'weight_quantize_type'?"), (8, 22, "activation_bits must be in 1...16, found 20"),
              (9, 1, "did you mean 'compressor'?"), (1, 1, "missing required section 'compressor'")].sorted { ($0.0, $0.1) < ($1.0, $1.1) })
    }

    func testAnEndEpochWithNoEpochAfterItIsAnError() {
        expect("""
        strategies:
          q: {class: QuantizationStrategy, end_epoch: 9223372036854775807}
        compressor:
          epoch: 1
          strategies: [q]
        """, [(2, 47, "end_epoch must be < 9223372036854775807")])
    }

    func testUnknownStrategyNameAndClass() {
        expect("""
        strategies:
          quant: {class: QuantizationStrateg}
          q2: {class: QuantizationStrategy, weight_quantize_type: channelwise}
        compressor:
          epoch: 1
          eval_epoch: 0
          strategies: [quant_strategy]
        """, [(2, 18, "did you mean 'QuantizationStrategy'?"), (3, 59, "did you mean 'channel_wise_abs_max'?"),
              (6, 15, "eval_epoch must be > 0"), (7, 16, "unknown strategy 'quant_strategy'")])
    }

    func testEveryPresetLoads() throws {
        let dir = Self.repoRoot.appendingPathComponent("strategies")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(files.count, 5)
        var combos = Set<String>()
        for f in files {
            let c = try CompressionConfig.load(path: dir.appendingPathComponent(f).path)
            switch c.strategies.first {
            case .quantization(_, let q)?: combos.insert("\(q.weightQuantizeType.rawValue)x\(q.activationQuantizeType.rawValue)")
            case .postTrainingQuantization(_, let p)?: combos.insert("ptq \(p.algo) \(p.weightQuantizeType.rawValue)")
            case .prune(_, let p)?: combos.insert("\(p.kind.rawValue) of \(p.prunedParams) then \(c.strategies.dropFirst().map(\.name))")
            case .distillation(_, let d)?: combos.insert("distill \(d.distillers.map(\.kind.rawValue)) then \(c.strategies.dropFirst().map(\.name))")
            case nil: XCTFail(f)
            }
        }
        XCTAssertEqual(combos.count, files.count, "each preset is a different combination")
    }
}
