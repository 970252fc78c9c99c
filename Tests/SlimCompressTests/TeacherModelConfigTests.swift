import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// A distillation teacher given as a model YAML + weights (`teacher_model_config`,
/// `teacher_weights`) is the teacher its trained model directory would be.
final class TeacherModelConfigTests: XCTestCase {
    /// A ResNet-8 (batch norms) with weights and statistics not its initial ones (every value
    /// times 1.25), saved as an inference model directory: what `slim train` would have saved.
    private func saveResNet(_ fixture: CompressorFixture, to relative: String) throws -> String {
        var options = ModelZoo.Options()
        options.depth = 8
        let built = try ModelZoo.model("ResNet", options: options, numClasses: 10).build(inputShape: [1, 28, 28], seed: 5)
        let program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        let params = built.params.filter { program.variable($0.key)?.persistable == true }
            .mapValues { Tensor(shape: $0.shape, floats: $0.floats.map { $0 * 1.25 }) }
        try ModelFile.save(program: program, params: params, to: fixture.path(relative))
        return fixture.path(relative)
    }

    /// The ResNet-8's model YAML with another seed (its initial values differ from the weights').
    private func writeYAML(_ fixture: CompressorFixture, classes: Int = 10) throws -> String {
        try fixture.write("teacher.yml", """
            architecture: ResNet
            ResNet: {depth: 8}
            num_classes: \(classes)
            seed: 11
            LearningRate: {base_lr: 0.1}
            OptimizerBuilder: {optimizer: {type: Momentum, momentum: 0.9}}
            TrainReader: {batch_size: 8, dataset: {type: FashionMNIST, split: train, num_samples: 16}}

            """)
        return fixture.path("teacher.yml")
    }

    func testATeacherFromItsYAMLAndWeightsComputesTheFeatureMapsOfItsModelDirectory() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let dir = try saveResNet(fixture, to: "teacher")
        var lines: [String] = []
        let fromYAML = try TeacherModel(modelConfig: try writeYAML(fixture), weights: dir, imageShape: [1, 28, 28]) { lines.append($0) }
        let fromDir = try TeacherModel(directory: dir)
        XCTAssertEqual(fromYAML.program, fromDir.program, "the inference program slim train saves")
        XCTAssertEqual(fromYAML.parameters, fromDir.parameters)
        XCTAssertTrue(lines.joined().contains("loaded \(fromDir.parameters.count) of "), "\(lines)")
        XCTAssertTrue(fromYAML.source.hasSuffix("teacher.yml with weights \(dir)"), fromYAML.source)

        var generator = SeededGenerator(seed: 3)
        let image = Tensor(shape: [4, 1, 28, 28], floats: (0..<(4 * 28 * 28)).map { _ in Float.random(in: -1...1, using: &generator) })
        // Every feature map a later op reads, and the output.
        let read = Set(fromDir.program.ops.flatMap { $0.inputs.values.joined() } + fromDir.program.fetches)
        let maps = fromDir.program.vars.filter { !$0.persistable && read.contains($0.name) && !fromDir.program.feeds.contains($0.name) }.map(\.name)
        XCTAssertGreaterThan(maps.count, 20)
        let a = try fromYAML.features(image: image, vars: maps), b = try fromDir.features(image: image, vars: maps)
        XCTAssertEqual(a.count, maps.count)
        for name in maps { XCTAssertEqual(a[TeacherModel.prefix + name], b[TeacherModel.prefix + name], name) }
    }

    func testWeightsThatDoNotCoverTheInferenceModelAreAnError() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let dir = try saveResNet(fixture, to: "teacher")
        // 5 classes: the fc's weight and bias in the directory have 10.
        XCTAssertThrowsError(try TeacherModel(modelConfig: try writeYAML(fixture, classes: 5), weights: dir, imageShape: [1, 28, 28]) { _ in }) { error in
            let e = error as? ModelFileError
            XCTAssertEqual(e?.kind, .mismatch, "\(error)")
            XCTAssertTrue("\(error)".contains("it has no value for 2 of the") && "\(error)".contains("fc_0.w_0 f32[64, 5]"), "\(error)")
        }
        // Another architecture's weights: nothing matches.
        let built = try ModelZoo.model("LeNet5", options: .init(), numClasses: 10).build(inputShape: [1, 28, 28], seed: 5)
        try ModelFile.save(program: try built.program.pruned(feeds: [built.image], fetches: [built.head.output]), params: built.params, to: fixture.path("lenet"))
        XCTAssertThrowsError(try TeacherModel(modelConfig: try writeYAML(fixture), weights: fixture.path("lenet"), imageShape: [1, 28, 28]) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("nothing matched"), "\(error)")
        }
    }

    /// A compressor run distilling from the YAML form trains the same student, byte for byte, as
    /// one distilling from the model directory.
    func testDistillingFromTheYAMLFormTrainsTheSameStudent() throws {
        var students: [[String: Tensor]] = []
        for yamlForm in [false, true] {
            let fixture = try CompressorFixture()
            defer { fixture.cleanUp() }
            let dir = try saveResNet(fixture, to: "teacher")
            var soft = DistillerConfig(name: "soft", kind: .softLabel)
            (soft.teacherFeatureMap, soft.studentFeatureMap) = ("teacher_fc_0.tmp_1", "fc_2.tmp_1")
            var c = DistillationStrategyConfig()
            (c.distillers, c.endEpoch) = ([soft], 1)
            if yamlForm {
                (c.teacherModelConfig, c.teacherWeights) = (try writeYAML(fixture), dir)
            } else {
                c.teacherModelDir = dir
            }
            var lines: [String] = []
            try fixture.compressor(epochs: 1, strategies: [DistillationStrategy(name: "distill", config: c)]) { lines.append($0) }.run()
            let log = lines.joined()
            XCTAssertTrue(log.contains("distill: distilling from \(yamlForm ? fixture.path("teacher.yml") + " with weights " : "")\(dir) (soft)"), log)
            XCTAssertEqual(log.contains("distill: teacher: loaded "), yamlForm, log)
            students.append(try ModelFile.load(from: fixture.path("checkpoints/0/model")).params)
        }
        XCTAssertEqual(students[0], students[1])
    }
}
