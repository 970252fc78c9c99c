import SlimGraph
import SlimTensor
import XCTest

final class ModelInterfaceTests: XCTestCase {
    /// A zoo classifier describes itself generally: `image` is its one inference feed, `label` a
    /// training-only feed, the loss is the head's, the one output is the softmax probabilities.
    func testZooClassifierInterface() throws {
        let built = LeNet5(numClasses: 10, dropout: 0).build(inputShape: [1, 28, 28], seed: 1)
        XCTAssertEqual(built.feeds, [FeedSpec(name: "image", shape: [-1, 1, 28, 28], usage: .inference),
                                     FeedSpec(name: "label", shape: [-1, 1], dtype: .s32, usage: .training)])
        XCTAssertEqual(built.interface.inferenceFeeds, ["image"])
        XCTAssertEqual(built.loss, built.head.loss)
        XCTAssertEqual(built.outputs, [OutputSpec(name: "probabilities", variable: built.head.output)])
        XCTAssertEqual(built.interface.outputVars, [built.head.output])
        XCTAssertEqual(built.metric, .topK)
        XCTAssertEqual([built.image, built.label], ["image", "label"])
        for feed in built.feeds {
            let declared = try XCTUnwrap(built.program.variable(feed.name))
            XCTAssertEqual(declared.shape, feed.shape)
            XCTAssertEqual(declared.dtype, feed.dtype)
        }
        XCTAssertEqual(built.program.feeds, built.feeds.map(\.name))
    }

    /// A task without a classifier head: the general fields only.
    func testInterfaceWithoutClassifier() {
        let interface = ModelInterface(
            feeds: [FeedSpec(name: "image", shape: [-1, 3, 32, 32], usage: .inference),
                    FeedSpec(name: "im_size", shape: [-1, 2], dtype: .s32, usage: .inference),
                    FeedSpec(name: "gt_box", shape: [-1, 50, 4], usage: .training)],
            loss: "mean_0.tmp_0", outputs: [OutputSpec(name: "bbox", variable: "multiclass_nms_0.tmp_0")], metric: .voc)
        XCTAssertEqual(interface.inferenceFeeds, ["image", "im_size"])
        XCTAssertEqual(interface.outputVars, ["multiclass_nms_0.tmp_0"])
        XCTAssertNil(interface.classifier)
        XCTAssertEqual(interface.feed("gt_box")?.shape, [-1, 50, 4])
    }
}
