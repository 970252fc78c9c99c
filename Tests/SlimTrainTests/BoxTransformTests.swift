import SlimTensor
import XCTest
@testable import SlimTrain

/// Sample `i`: a 1x4x6 image of value `i`; object boxes `(1, 0, 3, 2)` class 2 and, for odd `i`,
/// `(0, 1, 6, 4)` class 5 (difficult); image id `100 + i`.
private struct BoxDataset: Dataset {
    var count: Int { 3 }
    var imageShape: [Int] { [1, 4, 6] }
    var classNames: [String]? { nil }
    var annotatesBoxes: Bool { true }

    func sample(_ i: Int) throws -> Sample {
        var boxes = [BoundingBox(xmin: 1, ymin: 0, xmax: 3, ymax: 2)], labels = [2], difficult = [false]
        if i % 2 == 1 {
            boxes.append(BoundingBox(xmin: 0, ymin: 1, xmax: 6, ymax: 4))
            labels.append(5)
            difficult.append(true)
        }
        return Sample(pixels: .floats([Float](repeating: Float(i), count: 24)), label: 0,
                      annotations: BoxAnnotations(boxes: boxes, labels: labels, difficult: difficult), imageID: 100 + i)
    }
}

/// Sample `i`: a 1x(2+2i)x4 image with the box `(0, 0, 4, 2)`: images of several sizes.
private struct SizedDataset: Dataset {
    var count: Int { 2 }
    var imageShape: [Int] { [1, 2, 4] }
    var classNames: [String]? { nil }
    var annotatesBoxes: Bool { true }

    func sample(_ i: Int) throws -> Sample {
        let h = 2 + 2 * i
        return Sample(pixels: .floats([Float](repeating: 1, count: h * 4)), label: 0,
                      annotations: BoxAnnotations(boxes: [BoundingBox(xmin: 0, ymin: 0, xmax: 4, ymax: 2)], labels: [3]), shape: [1, h, 4])
    }
}

final class BoxTransformTests: XCTestCase {
    private var rng = SeededGenerator(seed: 1)

    private func sample(_ boxes: [BoundingBox]) -> AnnotatedImage {
        AnnotatedImage(image: Image(data: (0..<24).map(Float.init), channels: 1, height: 4, width: 6),
                       annotations: BoxAnnotations(boxes: boxes, labels: Array(0..<boxes.count)))
    }

    /// A flip mirrors the boxes as PaddleDetection does for pixel boxes: `W - 1 - x`.
    func testFlipMovesBoxes() throws {
        var s = sample([BoundingBox(xmin: 1, ymin: 0, xmax: 3, ymax: 2)])
        try RandomFlip(prob: 1).apply(&s, rng: &rng)
        XCTAssertEqual(s.annotations?.boxes, [BoundingBox(xmin: 2, ymin: 0, xmax: 4, ymax: 2)])
        XCTAssertEqual(Array(s.image.data[0..<6]), [5, 4, 3, 2, 1, 0])
    }

    /// A resize scales the boxes by the size ratios.
    func testResizeScalesBoxes() throws {
        var s = sample([BoundingBox(xmin: 1, ymin: 1, xmax: 3, ymax: 2)])
        try Resize(size: ImageSize(height: 8, width: 3)).apply(&s, rng: &rng)
        XCTAssertEqual(s.annotations?.boxes, [BoundingBox(xmin: 0.5, ymin: 2, xmax: 1.5, ymax: 4)])
    }

    /// A crop shifts the boxes by the window's corner, clips them and drops those outside.
    func testCropShiftsClipsAndDrops() throws {
        let crop = try RandomCrop(size: ImageSize(height: 2, width: 2))
        for seed in 0..<20 {
            var r = SeededGenerator(seed: UInt64(seed))
            var s = sample([BoundingBox(xmin: 0, ymin: 0, xmax: 6, ymax: 4), BoundingBox(xmin: 0, ymin: 0, xmax: 1, ymax: 1)])
            crop.apply(&s, rng: &r)
            let a = try XCTUnwrap(s.annotations)
            XCTAssertEqual(a.boxes[0], BoundingBox(xmin: 0, ymin: 0, xmax: 2, ymax: 2), "the whole-image box becomes the window")
            // The window's corner is where the pixel value of (0, 0) came from.
            let v = Int(s.image.data[0]), (top, left) = (v / 6, v % 6)
            XCTAssertEqual(a.count, top == 0 && left == 0 ? 2 : 1, "seed \(seed): the corner box stays only in a window at the corner")
            XCTAssertEqual(a.labels, Array([0, 1].prefix(a.count)))
        }
    }

    /// Normalize and ToTensor leave boxes alone; an image transformed without boxes stays without.
    func testPointwiseTransformsPassBoxesThrough() throws {
        var s = sample([BoundingBox(xmin: 1, ymin: 0, xmax: 3, ymax: 2)])
        let before = s.annotations
        ToTensor().apply(&s, rng: &rng)
        try Normalize(mean: [0.5], std: [0.5]).apply(&s, rng: &rng)
        XCTAssertEqual(s.annotations, before)
        var plain = AnnotatedImage(image: Image(channels: 1, height: 4, width: 6))
        try RandomFlip(prob: 1).apply(&plain, rng: &rng)
        XCTAssertNil(plain.annotations)
    }

    /// A data set with boxes batches its ground truth padded to `num_max_boxes`, with counts,
    /// original sizes and image ids; the boxes went through the transforms.
    func testBatchesPadGroundTruth() throws {
        let loader = try DataLoader(dataset: BoxDataset(), batchSize: 3, shuffle: false, dropLast: false,
                                    transforms: [try RandomFlip(prob: 1)], numMaxBoxes: 3)
        let batch = try loader.next()
        XCTAssertEqual(batch.boxCounts, [1, 2, 1])
        XCTAssertEqual(batch.imageIDs, [100, 101, 102])
        XCTAssertEqual(batch.originalSizes, Array(repeating: ImageSize(height: 4, width: 6), count: 3))
        let boxes = try XCTUnwrap(batch["gt_box"])
        XCTAssertEqual(boxes.shape, [3, 3, 4])
        XCTAssertEqual(Array(boxes.floats[12..<24]), [2, 0, 4, 2, -1, 1, 5, 4, 0, 0, 0, 0], "flipped, then zero padding")
        XCTAssertEqual(try XCTUnwrap(batch["gt_label"]).asFloats, [2, 0, 0, 2, 5, 0, 2, 0, 0])
        XCTAssertEqual(try XCTUnwrap(batch["gt_score"]).floats, [1, 0, 0, 1, 1, 0, 1, 0, 0])
        XCTAssertEqual(try XCTUnwrap(batch["is_difficult"]).asFloats, [0, 0, 0, 0, 1, 0, 0, 0, 0])
        XCTAssertEqual(try XCTUnwrap(batch["im_size"]).asFloats, [4, 6, 4, 6, 4, 6])
        let truncated = try DataLoader(dataset: BoxDataset(), batchSize: 2, shuffle: false, numMaxBoxes: 1).next()
        XCTAssertEqual(truncated.boxCounts, [1, 1], "objects beyond num_max_boxes are dropped")
        XCTAssertThrowsError(try DataLoader(dataset: BoxDataset(), batchSize: 2, numMaxBoxes: 0))
    }

    /// Data without boxes batches only images and labels, as before.
    func testClassificationBatchesHaveNoBoxFields() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 4)
        let batch = try DataLoader(dataset: data, batchSize: 4).next()
        XCTAssertEqual(Set(batch.tensors.keys), ["image", "label"])
        XCTAssertNil(batch.boxCounts)
        XCTAssertNil(batch.imageIDs)
    }

    /// Samples of their own sizes are resized to one shape; each keeps its original size.
    func testSamplesOfSeveralSizes() throws {
        let batch = try DataLoader(dataset: SizedDataset(), batchSize: 2, shuffle: false, transforms: [try Resize(size: ImageSize(height: 2, width: 2))]).next()
        XCTAssertEqual(batch.images.shape, [2, 1, 2, 2])
        XCTAssertEqual(batch.originalSizes, [ImageSize(height: 2, width: 4), ImageSize(height: 4, width: 4)])
        XCTAssertEqual(try XCTUnwrap(batch["im_size"]).asFloats, [2, 4, 4, 4])
        XCTAssertEqual(Array(try XCTUnwrap(batch["gt_box"]).floats[0..<4]), [0, 0, 2, 2])
        XCTAssertEqual(Array(try XCTUnwrap(batch["gt_box"]).floats[200..<204]), [0, 0, 2, 1])
    }
}
