import Foundation
import XCTest
@testable import SlimTrain

/// `examples/infer_images/`: Fashion-MNIST test images as PNG (slim's encoder) and one as an
/// upscaled RGB JPEG (libjpeg), for `slim infer` demos. Run with `SLIM_WRITE_EXAMPLE_IMAGES=1`
/// to regenerate them; otherwise the committed files are checked against the data set.
final class PredictorExampleImagesTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/infer_images").path

    /// Test-split indices of the PNG examples, and of the JPEG one.
    static let pngIndices = [0, 1, 2, 4, 8]
    static let jpegIndex = 6

    static func name(index: Int, label: Int, ext: String) -> String {
        let slug = IDXDataset.fashionMNISTClassNames[label].lowercased().map { $0.isLetter ? String($0) : "_" }.joined()
        return "test\(index)_\(slug).\(ext)"
    }

    /// The 28x28 gray test image `index` as 3x-upscaled RGB pixels.
    static func rgbUpscaled(_ gray: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for y in 0..<84 { for x in 0..<84 { out += Array(repeating: gray[(y / 3) * 28 + x / 3], count: 3) } }
        return out
    }

    func testExampleImagesAreFashionMNISTTestImages() throws {
        let data = try fashionMNISTTest()
        let write = ProcessInfo.processInfo.environment["SLIM_WRITE_EXAMPLE_IMAGES"] == "1"
        for index in Self.pngIndices {
            let sample = try data.sample(index)
            guard case .bytes(let gray) = sample.pixels else { return XCTFail("Fashion-MNIST samples are bytes") }
            let path = Self.folder + "/" + Self.name(index: index, label: sample.label, ext: "png")
            if write { try ImageCodec.encodePNG(pixels: gray, width: 28, height: 28, channels: 1, to: path) }
            XCTAssertEqual(try ImageCodec.decode(path: path), DecodedImage(width: 28, height: 28, channels: 1, pixels: gray), path)
        }
        let sample = try data.sample(Self.jpegIndex)
        guard case .bytes(let gray) = sample.pixels else { return XCTFail("Fashion-MNIST samples are bytes") }
        let path = Self.folder + "/" + Self.name(index: Self.jpegIndex, label: sample.label, ext: "jpg")
        let rgb = Self.rgbUpscaled(gray)
        if write { try writeFile(encodeJPEGForTest(pixels: rgb, width: 84, height: 84, channels: 3, quality: 90), path) }
        let decoded = try ImageCodec.decode(path: path)
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [84, 84, 3])
        let meanError = zip(decoded.pixels, rgb).map { abs(Int($0) - Int($1)) }.reduce(0, +) / rgb.count
        XCTAssertLessThanOrEqual(meanError, 6, "the JPEG is a close copy of test image \(Self.jpegIndex)")
    }

    private func fashionMNISTTest() throws -> IDXDataset {
        let dir = IDXDataset.defaultFashionMNISTDirectory
        try XCTSkipUnless(FileManager.default.fileExists(atPath: IDXDataset.standardPaths(dir: dir, split: .test).images),
                          "Fashion-MNIST is not installed")
        return try IDXDataset.fashionMNIST(split: .test)
    }
}
