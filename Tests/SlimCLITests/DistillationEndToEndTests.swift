import Foundation
import SlimGraph
import XCTest

/// `slim compress` with distillation then quantization in one slim YAML: a LeNet5 student
/// distilled from another LeNet5 (epochs 0-1), then QAT (epoch 2) freezing at epoch 3. Runs
/// stopped by SIGKILL or at a named point resume byte-identical; the saved models hold only the
/// student.
final class DistillationEndToEndTests: XCTestCase {
    let compress = ["compress", "-s", "slim.yaml", "-c", "model.yml"]

    static func slimYAML(teacherMap: String = "teacher_fc_2.tmp_1") -> String {
        """
        version: 1.0
        distillers:
          l2_distiller:
            class: L2Distiller
            teacher_feature_map: \(teacherMap)
            student_feature_map: fc_2.tmp_1
            distillation_loss_weight: 1
          soft_label_distiller:
            class: SoftLabelDistiller
            teacher_temperature: 2.0
            student_temperature: 2.0
            teacher_feature_map: teacher_fc_2.tmp_1
            student_feature_map: fc_2.tmp_1
            distillation_loss_weight: 0.5
        strategies:
          distillation_strategy:
            class: DistillationStrategy
            distillers: [l2_distiller, soft_label_distiller]
            start_epoch: 0
            end_epoch: 2
            teacher_model_dir: ./teacher
          quantization_strategy:
            class: QuantizationStrategy
            start_epoch: 2
            end_epoch: 3
            float_model_save_path: ./quant/float
            int8_model_save_path: ./quant/int8
        compressor:
          epoch: 4
          checkpoint_path: ./checkpoints/
          strategies: [distillation_strategy, quantization_strategy]

        """
    }

    func prepared(_ slimYAML: String = slimYAML()) throws -> SlimRunner {
        let slim = try SlimRunner()
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", slimYAML)
        try slim.saveZooModel("LeNet5", numClasses: 10, to: "teacher")
        return slim
    }

    let compared = ["checkpoints/1/model/__params__", "checkpoints/3/model/__params__", "checkpoints/3/eval_model/__params__",
                    "quant/float/weights", "quant/int8/weights"]

    func testKilledRunsResumeByteIdenticalAndSaveOnlyTheStudent() throws {
        let straight = try prepared()
        defer { straight.cleanUp() }
        let full = try straight.run(compress)
        XCTAssertEqual(full.status, 0, full.err)
        XCTAssertTrue(full.out.contains("distillation_strategy: distilling from ./teacher") && full.out.contains("distillation ended"), full.out)
        for dir in ["quant/float", "quant/int8", "checkpoints/0/eval_model", "checkpoints/3/model"] {
            let (program, params) = try ModelFile.load(from: straight.path(dir), modelName: nil, paramsName: nil)
            let names = program.vars.map(\.name) + params.keys
            XCTAssertEqual(names.filter { $0.hasPrefix("teacher_") || $0.hasPrefix("distill_") }, [], dir)
        }

        // SIGKILL during epoch 1 (distilling), and a stop between the checkpoint of epoch 1
        // (end_epoch - 1) and the end of the distillation.
        let killed = try prepared()
        defer { killed.cleanUp() }
        XCTAssertTrue(try killed.killedRun(compress, when: "checkpoints/0/strategies.json"), "the run ended before it could be killed")
        let stopped = try prepared()
        defer { stopped.cleanUp() }
        XCTAssertEqual(try stopped.run(compress, environment: ["SLIM_TEST_KILL_AT": "checkpoint-saved-1"]).status, 137)
        for slim in [killed, stopped] {
            let resumed = try slim.run(compress)
            XCTAssertEqual(resumed.status, 0, resumed.err)
            XCTAssertTrue(resumed.out.contains("resuming from"), resumed.out)
            for file in compared {
                XCTAssertNotNil(straight.bytes(file), file)
                XCTAssertEqual(straight.bytes(file), slim.bytes(file), "\(file) differs between the straight and the resumed run")
            }
        }
    }

    /// `teacher_model_config` + `teacher_weights` (relative paths, from the working directory)
    /// instead of `teacher_model_dir`: the same student, byte for byte. Both forms at once exit 65
    /// at the position.
    func testATeacherGivenAsAModelYAMLAndWeightsTrainsTheSameStudentAsItsDirectory() throws {
        func yaml(_ teacher: String) -> String {
            """
            distillers:
              soft: {class: SoftLabelDistiller, teacher_temperature: 2.0, student_temperature: 2.0, teacher_feature_map: teacher_fc_2.tmp_1, student_feature_map: fc_2.tmp_1}
            strategies:
              distill: {class: DistillationStrategy, distillers: [soft], end_epoch: 1, \(teacher)}
            compressor: {epoch: 1, checkpoint_path: ./checkpoints/, strategies: [distill]}

            """
        }
        let directory = try prepared(yaml("teacher_model_dir: ./teacher"))
        let config = try prepared(yaml("teacher_model_config: teacher.yml, teacher_weights: teacher"))
        defer { directory.cleanUp(); config.cleanUp() }
        try config.write("teacher.yml", SlimRunner.tinyModel)
        let a = try directory.run(compress), b = try config.run(compress)
        XCTAssertEqual(a.status, 0, a.err)
        XCTAssertEqual(b.status, 0, b.err)
        XCTAssertTrue(b.out.contains("distill: teacher: loaded 10 of 10 persistable vars from teacher"), b.out)
        XCTAssertTrue(b.out.contains("distill: distilling from teacher.yml with weights teacher (soft)"), b.out)
        XCTAssertNotNil(directory.bytes("checkpoints/0/model/__params__"))
        XCTAssertEqual(directory.bytes("checkpoints/0/model/__params__"), config.bytes("checkpoints/0/model/__params__"))

        try config.write("slim.yaml", yaml("teacher_model_dir: ./teacher, teacher_model_config: teacher.yml, teacher_weights: teacher"))
        let both = try config.run(compress)
        XCTAssertEqual(both.status, 65, both.err)
        XCTAssertTrue(both.err.contains("slim.yaml:4:128: error: the teacher is given twice"), both.err)
    }

    func testATeacherFeatureMapThatIsNotAVarExits65NamingIt() throws {
        let slim = try prepared(Self.slimYAML(teacherMap: "teacher_fc_2.tmp_9"))
        defer { slim.cleanUp() }
        let r = try slim.run(compress)
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("teacher_feature_map 'teacher_fc_2.tmp_9'") && r.err.contains("teacher_fc_2.tmp_1"), r.err)
    }
}
