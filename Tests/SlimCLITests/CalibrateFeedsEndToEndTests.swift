import Foundation
import SlimGraph
import XCTest

/// `slim calibrate` on a model with several feeds: the first takes the images, the others the
/// data's tensors of the same name.
final class CalibrateFeedsEndToEndTests: XCTestCase {
    /// A second feed the data does not provide is a data error (65) naming it, not a trap and
    /// not a refusal of multi-feed models.
    func testFeedTheDataLacksIsNamed() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        let built = try ModelZoo.model("LeNet5", options: .init(), numClasses: 10).build(inputShape: [1, 28, 28], seed: 5)
        var program = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        program.declare(VarDesc(name: "im_size", shape: [-1, 2], dtype: .s32))
        program.feeds.append("im_size")
        try ModelFile.save(program: program, params: built.params.filter { program.variable($0.key)?.persistable == true }, to: slim.path("two"))
        let r = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "two", "--algo", "abs_max", "--batch_nums", "1", "--save_path", "ptq"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("'im_size'"), r.err)
        XCTAssertFalse(r.err.contains("one feed"), r.err)
    }
}
