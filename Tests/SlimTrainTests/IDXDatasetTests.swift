import XCTest
@testable import SlimTrain

final class IDXDatasetTests: XCTestCase {
    private let dir = IDXDataset.defaultFashionMNISTDirectory

    func testRealFashionMNISTTrainLabelsAndImages() throws {
        let train = try IDXDataset.fashionMNIST(split: .train)
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual(train.imageShape, [1, 28, 28])
        XCTAssertEqual(try (0..<10).map { try train.sample($0).label }, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(train.classNames?[9], "Ankle boot")
        let first = try train.sample(0)
        guard case let .bytes(pixels) = first.pixels else { return XCTFail("IDX samples are bytes") }
        XCTAssertEqual(pixels.count, 784)
        XCTAssertEqual(Array(pixels.prefix(28)), [UInt8](repeating: 0, count: 28), "top row of the first boot is blank")
        XCTAssertGreaterThan(pixels.map(Int.init).reduce(0, +), 784 * 20, "the image is not empty")
    }

    func testRealFashionMNISTTestSplitAndSubset() throws {
        let test = try IDXDataset.fashionMNIST(split: .test)
        XCTAssertEqual(test.count, 10000)
        let subset = SubsetDataset(test, prefix: 5)
        XCTAssertEqual(subset.count, 5)
        XCTAssertEqual(try subset.sample(4), try test.sample(4))
        let labels = try (0..<1000).map { try test.sample($0).label }
        XCTAssertEqual(Set(labels), Set(0..<10))
    }

    func testUncompressedFilesReadTheSame() throws {
        let tmp = try makeTempDirectory(self)
        let images = idxBytes(magic: 0x803, dims: [2, 2, 3], payload: Array(0..<12))
        let labels = idxBytes(magic: 0x801, dims: [2], payload: [7, 1])
        try writeFile(images, tmp + "/t10k-images-idx3-ubyte")
        try writeFile(labels, tmp + "/t10k-labels-idx1-ubyte")
        let data = try IDXDataset.mnist(dir: tmp, split: .test)
        XCTAssertEqual(data.imageShape, [1, 2, 3])
        XCTAssertEqual(try data.sample(1), Sample(pixels: .bytes([6, 7, 8, 9, 10, 11]), label: 1))
    }

    func testMissingFileNamesThePath() throws {
        let tmp = try makeTempDirectory(self)
        assertDataError([tmp + "/nothing-here.gz", "no such file"]) {
            _ = try IDXDataset(images: tmp + "/nothing-here.gz", labels: tmp + "/labels")
        }
    }

    func testWrongMagicNamesFileAndBothMagics() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(idxBytes(magic: 0x801, dims: [1], payload: [3]), tmp + "/images")
        try writeFile(idxBytes(magic: 0x801, dims: [1], payload: [3]), tmp + "/labels")
        assertDataError([tmp + "/images", "expected IDX magic 0x00000803, found 0x00000801"]) {
            _ = try IDXDataset(images: tmp + "/images", labels: tmp + "/labels")
        }
    }

    func testTruncatedFileReportsExpectedAndFoundSizes() throws {
        let tmp = try makeTempDirectory(self)
        let full = idxBytes(magic: 0x803, dims: [10, 28, 28], payload: [UInt8](repeating: 1, count: 7840))
        try writeFile(Array(full.prefix(1000)), tmp + "/images")
        try writeFile(idxBytes(magic: 0x801, dims: [10], payload: [UInt8](repeating: 0, count: 10)), tmp + "/labels")
        assertDataError([tmp + "/images", "truncated: expected 7856 bytes, found 1000"]) {
            _ = try IDXDataset(images: tmp + "/images", labels: tmp + "/labels")
        }
    }

    func testCountsMismatchNamesBothFiles() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(idxBytes(magic: 0x803, dims: [3, 2, 2], payload: [UInt8](repeating: 0, count: 12)), tmp + "/images")
        try writeFile(idxBytes(magic: 0x801, dims: [2], payload: [0, 1]), tmp + "/labels")
        assertDataError([tmp + "/labels", "2 labels", tmp + "/images", "3 images"]) {
            _ = try IDXDataset(images: tmp + "/images", labels: tmp + "/labels")
        }
    }

    func testTrailingBytesAndCorruptGzipAreErrors() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(idxBytes(magic: 0x801, dims: [2], payload: [0, 1, 2]), tmp + "/labels")
        assertDataError([tmp + "/labels", "trailing data"]) {
            _ = try IDXFile(path: tmp + "/labels", magic: IDXFile.labelMagic)
        }
        let real = try GzipFile.readAll(path: dir + "/t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(real.count, 10008)
        let gz = try Data(contentsOf: URL(fileURLWithPath: dir + "/t10k-labels-idx1-ubyte.gz"))
        try writeFile(Array(gz.prefix(gz.count / 2)), tmp + "/cut.gz")
        assertDataError([tmp + "/cut.gz"]) { _ = try IDXFile(path: tmp + "/cut.gz", magic: IDXFile.labelMagic) }
    }

    func testLabelOutsideClassNamesIsAnError() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(idxBytes(magic: 0x803, dims: [1, 1, 1], payload: [0]), tmp + "/images")
        try writeFile(idxBytes(magic: 0x801, dims: [1], payload: [12]), tmp + "/labels")
        assertDataError([tmp + "/labels", "label 12"]) {
            _ = try IDXDataset(images: tmp + "/images", labels: tmp + "/labels", classNames: ["a", "b"])
        }
    }
}
