import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import SlimTestSupport
import XCTest
@testable import SlimCompress

/// DistillationStrategy in a compressor run: a LeNet5 student distilled from another LeNet5
/// (same var names: the teacher lives in its own scope, its feature maps fed as `teacher_*`).
final class DistillationStrategyTests: XCTestCase {
    /// Saves an untrained LeNet5 (seed 5, not the student's) as the teacher's model directory.
    private func saveTeacher(_ fixture: CompressorFixture) throws -> String {
        try ZooModelFiles.saveUntrained("LeNet5", numClasses: 10, to: fixture.path("teacher"))
        return fixture.path("teacher")
    }

    private func strategy(teacher: String, end: Int, weight: Double = 1, teacherMap: String = "teacher_fc_2.tmp_1") -> DistillationStrategy {
        var l2 = DistillerConfig(name: "l2", kind: .l2)
        (l2.teacherFeatureMap, l2.studentFeatureMap, l2.distillationLossWeight) = (teacherMap, "fc_2.tmp_1", weight)
        var fsp = DistillerConfig(name: "fsp", kind: .fsp)
        (fsp.teacherPairs, fsp.studentPairs) = ([["teacher_conv2d_0.tmp_1", "teacher_conv2d_0.tmp_2"]], [["conv2d_0.tmp_1", "conv2d_0.tmp_2"]])
        var c = DistillationStrategyConfig()
        (c.distillers, c.startEpoch, c.endEpoch, c.teacherModelDir) = ([l2, fsp], 0, end, teacher)
        return DistillationStrategy(name: "distill", config: c)
    }

    func testTheTeacherStaysFrozenAndOnlyTheStudentIsSaved() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let teacherDir = try saveTeacher(fixture)
        let before = try ModelFile.load(from: teacherDir).params
        let distill = strategy(teacher: teacherDir, end: 1)
        var lines: [String] = []
        let compressor = try fixture.compressor(epochs: 2, strategies: [distill]) { lines.append($0) }
        let student = compressor.context.session.program
        try compressor.run()
        let log = lines.joined()
        XCTAssertTrue(log.contains("distill: distilling from") && log.contains("distill: distillation ended"), log)

        XCTAssertEqual(try distill.teacher(compressor.context).parameters, before, "the teacher's weights and statistics never change")
        XCTAssertEqual(compressor.context.session.program, student, "after end_epoch the student's own program runs")
        XCTAssertNil(compressor.context.session.extraFeeds)
        for epoch in 0..<2 {
            let dir = fixture.path("checkpoints/\(epoch)")
            let state = try ModelFile.load(from: dir + "/model").params
            XCTAssertEqual(state.keys.filter { $0.hasPrefix("teacher_") || $0.hasPrefix("distill_") }, [], "epoch \(epoch)")
            XCTAssertNotEqual(state["fc_2.w_0"], before["fc_2.w_0"], "the student's own weights, trained")
            let eval = try ModelFile.load(from: dir + "/eval_model").program
            XCTAssertEqual(eval.vars.map(\.name).filter { $0.hasPrefix("teacher_") || $0.hasPrefix("distill_") }, [], "epoch \(epoch)")
        }
    }

    /// The same run without the strategy trains other weights: the losses reach the student.
    func testTheDistillationLossesChangeTheStudentsTraining() throws {
        let plain = try CompressorFixture(), distilled = try CompressorFixture()
        defer { plain.cleanUp(); distilled.cleanUp() }
        try plain.compressor(epochs: 1).run()
        try distilled.compressor(epochs: 1, strategies: [strategy(teacher: try saveTeacher(distilled), end: 1, weight: 10)]).run()
        let a = try ModelFile.load(from: plain.path("checkpoints/0/model")).params
        let b = try ModelFile.load(from: distilled.path("checkpoints/0/model")).params
        XCTAssertEqual(Set(a.keys), Set(b.keys), "the same student vars and optimizer state")
        XCTAssertNotEqual(a["conv2d_0.w_0"], b["conv2d_0.w_0"])
    }

    func testATeacherFeatureMapThatIsNotAVarStopsTheRunBeforeTraining() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let distill = strategy(teacher: try saveTeacher(fixture), end: 1, teacherMap: "teacher_fc_2.tmp_7")
        XCTAssertThrowsError(try fixture.compressor(epochs: 1, strategies: [distill]).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("distiller 'l2': teacher_feature_map 'teacher_fc_2.tmp_7'") && text.contains("teacher_fc_2.tmp_1"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("checkpoints/0")), "stopped before the first checkpoint")
    }

    func testAStudentFeatureMapThatIsNotAVarStopsTheRunBeforeTrainingEvenWhenDistillationStartsLater() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        var config = strategy(teacher: try saveTeacher(fixture), end: 2).config
        config.startEpoch = 1
        config.distillers[0].studentFeatureMap = "fc_2.tmp_5"
        let distill = DistillationStrategy(name: "distill", config: config)
        XCTAssertThrowsError(try fixture.compressor(epochs: 2, strategies: [distill]).run()) { error in
            XCTAssertTrue("\(error)".contains("student feature map 'fc_2.tmp_5'"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("checkpoints/0")), "stopped before the first checkpoint")
    }

    func testAMissingTeacherDirectoryIsNamed() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let distill = strategy(teacher: fixture.path("no-such-teacher"), end: 1)
        XCTAssertThrowsError(try fixture.compressor(epochs: 1, strategies: [distill]).run()) { error in
            XCTAssertTrue("\(error)".contains("no-such-teacher"), "\(error)")
        }
    }
}
