import SlimTensor
import XCTest
@testable import SlimTrain

final class BatchTests: XCTestCase {
    private func batch() -> Batch {
        Batch(images: Tensor(shape: [2, 1, 2, 2], floats: (0..<8).map(Float.init)),
              labels: Tensor(shape: [2, 1], dtype: .s32, integers: [1, 0]), indices: [4, 7], sampleNames: ["a.png", "b.png"])
    }

    /// A classification batch is the named tensors `image` and `label`, fed by feed name.
    func testClassificationBatchIsNamedTensors() throws {
        let b = batch()
        XCTAssertEqual(Set(b.tensors.keys), ["image", "label"])
        XCTAssertEqual(b["image"], b.images)
        XCTAssertEqual(b[Batch.label], b.labels)
        let feeds = try b.feeds(["label", "image"])
        XCTAssertEqual(feeds, ["image": b.images, "label": b.labels])
        XCTAssertEqual(try b.feeds(["image"]).count, 1)
    }

    /// A feed the data does not provide is a data error naming the feed and what the batch has.
    func testMissingFeedIsAnError() {
        XCTAssertThrowsError(try batch().feeds(["image", "gt_box"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'gt_box'") && text.contains("image, label"), text)
            XCTAssertTrue(error is DataError)
        }
    }

    /// Named tensors with per-sample metadata (image ids, original sizes) and no labels.
    func testGeneralBatch() {
        let b = Batch(tensors: ["image": Tensor(shape: [1, 3, 2, 2]), "im_size": Tensor(shape: [1, 2], dtype: .s32, integers: [480, 640])],
                      indices: [0], imageIDs: [139], originalSizes: [ImageSize(height: 480, width: 640)])
        XCTAssertEqual(b.count, 1)
        XCTAssertEqual(b.imageIDs, [139])
        XCTAssertEqual(b.originalSizes, [ImageSize(height: 480, width: 640)])
        XCTAssertNil(b[Batch.label])
    }

    /// A model's inference feeds: the first takes the images whatever its name, the others by name.
    func testInferenceFeeds() throws {
        let b = Batch(tensors: ["image": Tensor(shape: [1, 1, 2, 2]), "im_size": Tensor(shape: [1, 2], dtype: .s32, integers: [2, 2])],
                      indices: [0])
        XCTAssertEqual(try b.inferenceFeeds(["x"]), ["x": b.images])
        XCTAssertEqual(try b.inferenceFeeds(["image", "im_size"]), ["image": b.images, "im_size": try XCTUnwrap(b["im_size"])])
        XCTAssertThrowsError(try b.inferenceFeeds(["x", "scale"])) { XCTAssertTrue("\($0)".contains("'scale'")) }
    }
}
