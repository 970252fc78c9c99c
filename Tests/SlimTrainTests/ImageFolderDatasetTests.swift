import XCTest
@testable import SlimTrain

final class ImageFolderDatasetTests: XCTestCase {
    private func makeFolder() throws -> String {
        let root = try makeTempDirectory(self)
        for name in ["dog", "cat"] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
        }
        let red = [UInt8](repeating: 0, count: 0) + (0..<16).flatMap { _ in [UInt8(200), 0, 0] }
        try ImageCodec.encodePNG(pixels: red, width: 4, height: 4, channels: 3, to: root + "/cat/b.png")
        try ImageCodec.encodePNG(pixels: [UInt8](repeating: 90, count: 8 * 8), width: 8, height: 8, channels: 1, to: root + "/cat/a.png")
        let jpeg = encodeJPEGForTest(pixels: gradientPixels(width: 4, height: 4, channels: 3), width: 4, height: 4, channels: 3)
        try writeFile(jpeg, root + "/dog/photo.PNG")  // wrong extension: content decides
        try writeFile(Array("ignore".utf8), root + "/dog/readme.txt")
        return root
    }

    func testLabelsFromSortedFoldersAndConversion() throws {
        let root = try makeFolder()
        let data = try ImageFolderDataset(root: root, channels: 1, size: ImageSize(4))
        XCTAssertEqual(data.classNames, ["cat", "dog"])
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.imageShape, [1, 4, 4])
        XCTAssertEqual(data.files.map { ($0.path as NSString).lastPathComponent }, ["a.png", "b.png", "photo.PNG"])
        XCTAssertEqual(try data.sample(0), Sample(pixels: .bytes([UInt8](repeating: 90, count: 16)), label: 0))
        XCTAssertEqual(try data.sample(1).pixels, .bytes([UInt8](repeating: 60, count: 16)), "luma of (200, 0, 0)")
        XCTAssertEqual(try data.sample(2).label, 1)

        let rgb = try ImageFolderDataset(root: root, channels: 3)
        XCTAssertEqual(rgb.imageShape, [3, 8, 8], "size of the first image")
        XCTAssertEqual(try rgb.sample(1).pixels.count, 3 * 64)
    }

    func testBatchLabelsOutsideTheModelsClassesNameTheFile() throws {
        let root = try makeFolder()
        let data = try ImageFolderDataset(root: root, channels: 1, size: ImageSize(4))
        let loader = try DataLoader(dataset: SubsetDataset(data, indices: [2, 0]), batchSize: 2, shuffle: false, transforms: [ToTensor()])
        let batch = try loader.next()
        XCTAssertEqual(batch.sampleNames, [root + "/dog/photo.PNG", root + "/cat/a.png"])
        XCTAssertNoThrow(try batch.checkLabels(classes: 2))
        XCTAssertThrowsError(try batch.checkLabels(classes: 1)) { error in
            XCTAssertEqual(error as? DataError, .labelOutOfRange(sample: root + "/dog/photo.PNG", label: 1, classes: 1))
            XCTAssertTrue("\(error)".contains("photo.PNG: label 1 is outside the model's 1 classes 0..<1"), "\(error)")
        }
    }

    func testCorruptImageIsADataErrorAtSampleTime() throws {
        let root = try makeFolder()
        try writeFile([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], root + "/dog/zz.png")
        let data = try ImageFolderDataset(root: root, channels: 3, size: ImageSize(4))
        assertDataError([root + "/dog/zz.png"]) { _ = try data.sample(3) }
    }

    func testMissingOrEmptyRoot() throws {
        let tmp = try makeTempDirectory(self)
        assertDataError([tmp + "/none", "expected a folder"]) { _ = try ImageFolderDataset(root: tmp + "/none") }
        assertDataError([tmp, "expected class sub-folders"]) { _ = try ImageFolderDataset(root: tmp) }
        try FileManager.default.createDirectory(atPath: tmp + "/a", withIntermediateDirectories: true)
        assertDataError([tmp, "found none"]) { _ = try ImageFolderDataset(root: tmp) }
        assertDataError(["channels must be 1 or 3"]) { _ = try ImageFolderDataset(root: tmp, channels: 2) }
    }
}
