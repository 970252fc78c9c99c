import Foundation
import XCTest

/// Labels outside the model's classes are a data error naming the sample, in every command that
/// feeds labels to a model (never a trap, never a loss on a wrong class).
final class LabelRangeEndToEndTests: XCTestCase {
    var slim: SlimRunner!

    override func setUpWithError() throws {
        slim = try SlimRunner()
        addTeardownBlock { [slim] in slim?.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.saveZooModel("LeNet5", numClasses: 5, to: "five")
    }

    private func assertLabelError(_ r: ChildProcess.Result, _ fragments: [String],
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 65, r.err, file: file, line: line)
        for fragment in fragments + ["outside the model's", "num_classes"] {
            XCTAssertTrue(r.err.contains(fragment), "'\(fragment)' missing in: \(r.err)", file: file, line: line)
        }
    }

    /// Fashion-MNIST labels 0...9 against a 5-class model: the first sample labelled 5 or more is
    /// named by its label file and item.
    func testEvalAndCalibrateNameTheSampleAndTheClasses() throws {
        let eval = try slim.run(["eval", "--model_path", "five", "-c", "model.yml"])
        assertLabelError(eval, ["t10k-labels-idx1-ubyte", "item ", "5 classes 0..<5"])
        let compare = try slim.run(["eval", "--model_path", "five", "--compare_with", "five", "-c", "model.yml"])
        assertLabelError(compare, ["t10k-labels-idx1-ubyte", "5 classes"])
        let calibrate = try slim.run(["calibrate", "--model_path", "five", "-c", "model.yml", "--algo", "abs_max",
                                      "--batch_nums", "1", "--save_path", "ptq"])
        assertLabelError(calibrate, ["t10k-labels-idx1-ubyte", "5 classes"])
    }

    func testTrainingNamesTheSample() throws {
        let r = try slim.run(["train", "-c", "model.yml", "-o", "num_classes=5", "epoch=1", "max_iters=2"])
        assertLabelError(r, ["train-labels-idx1-ubyte", "item ", "5 classes"])
        XCTAssertFalse(r.err.contains("softmax_with_cross_entropy"), r.err)
    }

    func testImageFolderSampleIsNamedByItsFile() throws {
        try slim.writeImageFolder("imgs", classes: ["a", "b", "c"], count: 2)
        try slim.saveZooModel("LeNet5", numClasses: 2, to: "two")
        let folder = ["EvalReader.dataset={type: ImageFolder}", "EvalReader.batch_size=4", "EvalReader.transforms=[]"]
        let r = try slim.run(["eval", "--model_path", "two", "-c", "model.yml", "-d", "imgs", "-o"] + folder)
        assertLabelError(r, ["imgs/c/0.png", "label 2", "2 classes"])
    }
}
