import XCTest
@testable import SlimConfig

/// `distillers:` and `DistillationStrategy` in a slim YAML (PaddleSlim 1.x's schema plus
/// `teacher_model_dir`): parsing, and errors positioned at file:line:col.
final class SlimYAMLDistillationTests: XCTestCase {
    private func load(_ yaml: String) throws -> CompressionConfig { try loadSlimYAML(yaml) }

    private func expect(_ yaml: String, _ expected: [(Int, Int, String)], file: StaticString = #filePath, line: UInt = #line) {
        expectSlimYAMLErrors(yaml, expected, file: file, line: line)
    }

    private let distillers = """
        version: 1.0
        distillers:
          l2_distiller: {class: L2Distiller, teacher_feature_map: teacher_fc_0.tmp_1, student_feature_map: fc_0.tmp_1, distillation_loss_weight: 1}
          fsp_distiller:
            class: FSPDistiller
            teacher_pairs: [[teacher_conv2d_1.tmp_0, teacher_conv2d_2.tmp_0]]
            student_pairs: [[conv2d_1.tmp_0, conv2d_3.tmp_0]]
          soft_label_distiller:
            class: SoftLabelDistiller
            teacher_temperature: 2
            student_temperature: 1.5
            teacher_feature_map: teacher_fc_0.tmp_1
            student_feature_map: fc_0.tmp_1
            distillation_loss_weight: 0.001

        """

    func testDistillationThenQuantizationLoads() throws {
        let c = try load(distillers + """
            strategies:
              distill: {class: DistillationStrategy, distillers: [soft_label_distiller, fsp_distiller], start_epoch: 0, end_epoch: 3, teacher_model_dir: teacher}
              quant: {class: QuantizationStrategy, start_epoch: 3, end_epoch: 4}
            compressor: {epoch: 2, strategies: [distill, quant]}

            """)
        XCTAssertEqual(c.strategies.map(\.name), ["distill", "quant"])
        XCTAssertEqual(c.compressor.epoch, 5, "raised to the quantization's end_epoch + 1")
        guard case .distillation(_, let d)? = c.strategies.first else { return XCTFail("\(c.strategies)") }
        XCTAssertEqual(d.distillers.map(\.name), ["soft_label_distiller", "fsp_distiller"])
        XCTAssertEqual([d.startEpoch, d.endEpoch], [0, 3])
        XCTAssertEqual(d.teacherModelDir, "teacher")
        XCTAssertEqual(d.distillers[0].kind, .softLabel)
        XCTAssertEqual([d.distillers[0].teacherTemperature, d.distillers[0].studentTemperature, d.distillers[0].distillationLossWeight], [2, 1.5, 0.001])
        XCTAssertEqual(d.distillers[1].teacherPairs, [["teacher_conv2d_1.tmp_0", "teacher_conv2d_2.tmp_0"]])
        XCTAssertEqual(d.distillers[1].studentVars, ["conv2d_1.tmp_0", "conv2d_3.tmp_0"])
        XCTAssertEqual(d.distillers[1].distillationLossWeight, 1, "Paddle's default")
    }

    /// Distillation alone: epochs `start_epoch ..< end_epoch`, so `epoch` is raised to end_epoch.
    func testEpochIsRaisedToEndEpoch() throws {
        let c = try load(distillers + """
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2_distiller], start_epoch: 1, end_epoch: 4, teacher_model_dir: t}
            compressor: {epoch: 1, strategies: [distill]}

            """)
        XCTAssertEqual(c.compressor.epoch, 4)
    }

    func testUnknownDistillerNameAndClassAreNamedWithSuggestions() {
        expect(distillers + """
              bad: {class: L2Distilller, teacher_feature_map: a, student_feature_map: b}
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2_distillr], end_epoch: 1, teacher_model_dir: t}
            compressor: {epoch: 1, strategies: [distill]}

            """, [(15, 16, "unknown distiller class 'L2Distilller'"), (17, 55, "unknown distiller 'l2_distillr'")])
        XCTAssertThrowsError(try load(distillers + """
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2_distillr], end_epoch: 1, teacher_model_dir: t}
            compressor: {epoch: 1, strategies: [distill]}

            """)) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'l2_distiller'"), "\(error)")
        }
    }

    func testMissingFeatureMapsTeacherAndBadEpochsAreErrors() {
        expect("""
            distillers:
              l2: {class: L2Distiller, student_feature_map: fc_0.tmp_1}
              fsp: {class: FSPDistiller, teacher_pairs: [[a, b], [c]], student_pairs: [[d, e]]}
              soft: {class: SoftLabelDistiller, teacher_feature_map: a, student_feature_map: b, teacher_temperature: 0}
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2, fsp, soft], start_epoch: 2, end_epoch: 2}
            compressor: {epoch: 1, strategies: [distill]}

            """, [
                (2, 7, "missing required option 'teacher_feature_map' in L2Distiller"),
                (3, 54, "an FSP pair names two feature maps"),
                (3, 75, "student_pairs has 1 pairs, teacher_pairs 2"),
                (4, 106, "teacher_temperature must be > 0"),
                (6, 12, "missing required option 'teacher_model_dir'"),
                (6, 98, "end_epoch (2) must be after start_epoch (2)"),
            ])
    }

    func testTheTeacherAsAModelYAMLWithWeightsLoads() throws {
        let c = try load(distillers + """
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1, teacher_model_config: configs/teacher.yml, teacher_weights: output/teacher/best}
            compressor: {epoch: 1, strategies: [distill]}

            """)
        guard case .distillation(_, let d)? = c.strategies.first else { return XCTFail("\(c.strategies)") }
        XCTAssertEqual(d.teacherModelConfig, "configs/teacher.yml", "kept as written: relative to the working directory")
        XCTAssertEqual(d.teacherWeights, "output/teacher/best")
        XCTAssertEqual(d.teacherModelDir, "")
    }

    func testTheTeacherIsGivenExactlyOnceAndItsWeightsOnlyWithAModelYAML() {
        expect(distillers + """
            strategies:
              both: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1, teacher_model_dir: t, teacher_model_config: t.yml, teacher_weights: w}
              none: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1}
              no_weights: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1, teacher_model_config: t.yml}
              stray_weights: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1, teacher_model_dir: t, teacher_weights: w}
            compressor: {epoch: 1, strategies: [both, none, no_weights, stray_weights]}

            """, [
                (16, 125, "the teacher is given twice: teacher_model_config and teacher_model_dir (line 16); give one"),
                (17, 9, "missing required option 'teacher_model_dir' in DistillationStrategy (or teacher_model_config with teacher_weights)"),
                (18, 109, "teacher_model_config needs teacher_weights"),
                (19, 129, "teacher_weights goes with teacher_model_config"),
            ])
    }

    func testQuantizationMustBeTheLastStrategy() {
        expect(distillers + """
            strategies:
              distill: {class: DistillationStrategy, distillers: [l2_distiller], end_epoch: 1, teacher_model_dir: t}
              quant: {class: QuantizationStrategy, start_epoch: 1, end_epoch: 2}
            compressor: {epoch: 3, strategies: [quant, distill]}

            """, [(18, 44, "strategy 'distill' (DistillationStrategy) comes after quantization strategy 'quant'")])
    }
}
