import Foundation
import SlimConfig
import XCTest
@testable import SlimTrain

/// `InferenceConfig`: which reader section, which transforms, which class names.
final class PredictorConfigTests: XCTestCase {
    func load(_ yaml: String, overrides: [String] = []) throws -> ModelConfig {
        let path = try makeTempDirectory(self) + "/model.yml"
        try writeFile(Array(yaml.utf8), path)
        return try ModelConfig.load(path: path, overrides: overrides)
    }

    let evalOnly = """
    architecture: LeNet5
    EvalReader:
      batch_size: 64
      image_shape: [1, 28, 28]
      dataset: {type: FashionMNIST, split: test}
      transforms:
      - !Normalize {mean: [0.5], std: [0.25]}

    """

    func testUsesTheEvalReaderWhenThereIsNoTestReader() throws {
        let setup = try InferenceConfig(try load(evalOnly))
        XCTAssertEqual(setup.section, "EvalReader")
        XCTAssertEqual(setup.batchSize, 64)
        XCTAssertEqual(setup.imageShape, [1, 28, 28])
        XCTAssertEqual(setup.transforms.count, 2)
        XCTAssertTrue(setup.transforms[0] is ToTensor)
        XCTAssertEqual((setup.transforms[1] as? Normalize)?.mean, [0.5])
    }

    func testPrefersTheTestReaderAndDropsRandomAugmentation() throws {
        let yaml = evalOnly + """
        test_feed: Inference
        Inference:
          image_shape: [3, 32, 32]
          transforms:
          - !RandomFlip {prob: 1.0}
          - !RandomCrop {size: 32, padding: 4}
          - !Normalize {mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2]}

        """
        let setup = try InferenceConfig(try load(yaml))
        XCTAssertEqual(setup.section, "Inference")
        XCTAssertEqual(setup.batchSize, 1, "TestReader's default batch size")
        XCTAssertEqual(setup.imageShape, [3, 32, 32])
        XCTAssertEqual(setup.transforms.map { "\(type(of: $0))" }, ["ToTensor", "Normalize"])
    }

    func testClassNamesComeFromConfigThenLabelListThenDataSetThenIDs() throws {
        let dir = try makeTempDirectory(self)
        try writeFile(Array((0..<10).map { "c\($0)" }.joined(separator: "\n").utf8), dir + "/labels.txt")
        let names = (0..<10).map { "n\($0)" }
        var notes: [String] = []

        let configured = try InferenceConfig(try load(evalOnly, overrides: ["class_names=[\(names.joined(separator: ", "))]"]))
        let fromConfig = try configured.classNames(labelList: dir + "/labels.txt", numClasses: 10) { notes.append($0) }
        XCTAssertEqual(fromConfig.names, names)
        XCTAssertEqual(fromConfig.source, .config)
        XCTAssertTrue(notes.last?.contains("--label_list") == true, "\(notes)")
        XCTAssertThrowsError(try configured.classNames(labelList: nil, numClasses: 4)) {
            XCTAssertTrue("\($0)".contains("class_names has 10 names, but the model has 4 classes"), "\($0)")
        }

        let plain = try InferenceConfig(try load(evalOnly), datasetDir: dir + "/no-data")
        XCTAssertEqual(try plain.classNames(labelList: dir + "/labels.txt", numClasses: 10).names?.first, "c0")
        let ids = try plain.classNames(labelList: nil, numClasses: 10) { notes.append($0) }
        XCTAssertNil(ids.names)
        XCTAssertEqual(ids.source, .classIDs)
        XCTAssertTrue(notes.last?.contains("labelling classes by id") == true, "\(notes)")
    }

    func testDataSetClassNamesWhenTheDataIsInstalled() throws {
        let dir = IDXDataset.defaultFashionMNISTDirectory
        try XCTSkipUnless(FileManager.default.fileExists(atPath: IDXDataset.standardPaths(dir: dir, split: .test).images),
                          "Fashion-MNIST is not installed")
        let resolved = try InferenceConfig(try load(evalOnly)).classNames(labelList: nil, numClasses: 10)
        XCTAssertEqual(resolved.names, IDXDataset.fashionMNISTClassNames)
        XCTAssertEqual(resolved.source, .dataset)
    }
}
