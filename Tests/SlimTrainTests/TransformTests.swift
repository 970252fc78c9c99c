import SlimTensor
import XCTest
@testable import SlimTrain

final class TransformTests: XCTestCase {
    private var rng = SeededGenerator(seed: 1)

    private func image(_ c: Int, _ h: Int, _ w: Int) -> Image {
        Image(data: (0..<(c * h * w)).map(Float.init), channels: c, height: h, width: w)
    }

    func testToTensorAndNormalize() throws {
        var img = Image(data: [0, 255, 51, 102], channels: 2, height: 1, width: 2)
        ToTensor().apply(&img, rng: &rng)
        XCTAssertEqual(img.data, [0, 1, 0.2, 0.4])
        try Normalize(mean: [0.5, 0.2], std: [0.5, 0.1]).apply(&img, rng: &rng)
        XCTAssertEqual(img.data[0], -1, accuracy: 1e-6)
        XCTAssertEqual(img.data[1], 1, accuracy: 1e-6)
        XCTAssertEqual(img.data[2], 0, accuracy: 1e-6)
        XCTAssertEqual(img.data[3], 2, accuracy: 1e-5)
        XCTAssertThrowsError(try Normalize(mean: [0.5], std: [0]))
        XCTAssertThrowsError(try Normalize(mean: [0.5, 0.5, 0.5], std: [1, 1, 1]).outputShape([1, 28, 28]))
    }

    func testRandomFlipAlwaysAndNever() throws {
        var img = image(1, 2, 3)
        try RandomFlip(prob: 1).apply(&img, rng: &rng)
        XCTAssertEqual(img.data, [2, 1, 0, 5, 4, 3])
        try RandomFlip(prob: 0).apply(&img, rng: &rng)
        XCTAssertEqual(img.data, [2, 1, 0, 5, 4, 3])
        XCTAssertThrowsError(try RandomFlip(prob: 1.5))
    }

    func testRandomCropWindowsComeFromThePaddedImage() throws {
        let crop = try RandomCrop(size: ImageSize(3), padding: 1)
        var seen = Set<[Float]>()
        for seed in 0..<200 {
            var img = image(1, 3, 3)
            var r = SeededGenerator(seed: UInt64(seed))
            crop.apply(&img, rng: &r)
            XCTAssertEqual(img.shape, [1, 3, 3])
            seen.insert(img.data)
        }
        XCTAssertEqual(seen.count, 9, "3x3 offsets of a 5x5 padded image")
        XCTAssertTrue(seen.contains([0, 0, 0, 0, 0, 1, 0, 3, 4]), "top-left window includes the zero padding")
        XCTAssertTrue(seen.contains([0, 1, 2, 3, 4, 5, 6, 7, 8]), "centre window is the image")
        XCTAssertEqual(try crop.outputShape([3, 32, 32]), [3, 3, 3])
    }

    func testResizeBilinear() throws {
        var img = Image(data: [0, 10, 20, 30], channels: 1, height: 2, width: 2)
        try Resize(size: ImageSize(height: 1, width: 1)).apply(&img, rng: &rng)
        XCTAssertEqual(img.data, [15])
        var up = Image(data: [0, 100], channels: 1, height: 1, width: 2)
        try Resize(size: ImageSize(height: 1, width: 4)).apply(&up, rng: &rng)
        XCTAssertEqual(up.data, [0, 25, 75, 100])
    }
}
