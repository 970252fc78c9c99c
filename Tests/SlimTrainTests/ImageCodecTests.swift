import XCTest
@testable import SlimTrain

final class ImageCodecTests: XCTestCase {
    func testPNGRoundTripRGBAndGray() throws {
        let tmp = try makeTempDirectory(self)
        for channels in [1, 3] {
            let pixels = gradientPixels(width: 7, height: 5, channels: channels)
            let path = tmp + "/img\(channels).png"
            try ImageCodec.encodePNG(pixels: pixels, width: 7, height: 5, channels: channels, to: path)
            let decoded = try ImageCodec.decode(path: path)
            XCTAssertEqual(decoded, DecodedImage(width: 7, height: 5, channels: channels, pixels: pixels))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.contains("tmp") }
        XCTAssertEqual(leftovers, [], "atomic write leaves no temporary file")
    }

    func testPNGEncodeRejectsInconsistentSizes() throws {
        let tmp = try makeTempDirectory(self)
        assertDataError([tmp + "/x.png", "cannot write"]) {
            try ImageCodec.encodePNG(pixels: [1, 2, 3], width: 2, height: 2, channels: 1, to: tmp + "/x.png")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/x.png"))
    }

    func testJPEGDecodeOfLibjpegEncodedImage() throws {
        let pixels = gradientPixels(width: 16, height: 8, channels: 3)
        let jpeg = encodeJPEGForTest(pixels: pixels, width: 16, height: 8, channels: 3)
        XCTAssertEqual(ImageCodec.format(of: jpeg), .jpeg)
        let decoded = try ImageCodec.decode(jpeg, path: "mem.jpg")
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [16, 8, 3])
        let maxError = zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(maxError, 12, "quality-95 JPEG stays close to the source")

        let gray = encodeJPEGForTest(pixels: gradientPixels(width: 8, height: 8, channels: 1), width: 8, height: 8, channels: 1)
        XCTAssertEqual(try ImageCodec.decodeJPEG(gray, path: "g.jpg").channels, 1)
    }

    func testCorruptJPEGsThrowInsteadOfExiting() throws {
        let jpeg = encodeJPEGForTest(pixels: gradientPixels(width: 16, height: 16, channels: 3), width: 16, height: 16, channels: 3)
        assertDataError(["cut.jpg", "cannot decode JPEG"]) { _ = try ImageCodec.decode(Array(jpeg.prefix(40)), path: "cut.jpg") }
        assertDataError(["half.jpg", "Premature end"]) { _ = try ImageCodec.decode(Array(jpeg.prefix(jpeg.count - 60)), path: "half.jpg") }
        var garbage = jpeg
        for i in 20..<min(200, garbage.count) { garbage[i] = 0xFF }
        assertDataError(["garbage.jpg"]) { _ = try ImageCodec.decode(garbage, path: "garbage.jpg") }
        // The decoder still works after failures (no leaked global state).
        XCTAssertEqual(try ImageCodec.decode(jpeg, path: "ok.jpg").width, 16)
    }

    func testUnknownAndCorruptFilesAreDataErrors() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(Array("hello world".utf8), tmp + "/text.png")
        assertDataError([tmp + "/text.png", "expected a PNG or JPEG signature"]) { _ = try ImageCodec.decode(path: tmp + "/text.png") }
        let png = try ImageCodec.encodePNG(pixels: gradientPixels(width: 9, height: 9, channels: 3), width: 9, height: 9, channels: 3)
        try writeFile(Array(png.prefix(png.count / 2)), tmp + "/cut.png")
        assertDataError([tmp + "/cut.png", "PNG"]) { _ = try ImageCodec.decode(path: tmp + "/cut.png") }
        assertDataError([tmp + "/none.png", "no such file"]) { _ = try ImageCodec.decode(path: tmp + "/none.png") }
    }

    func testChannelConversionAndResize() {
        let rgb = DecodedImage(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        XCTAssertEqual(rgb.converted(toChannels: 1).pixels, [76])  // 0.299 * 255
        XCTAssertEqual(rgb.converted(toChannels: 1).converted(toChannels: 3).pixels, [76, 76, 76])
        let gray = DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 100])
        // Upsampling 2 -> 4 with half-pixel centres: 0, 25, 75, 100.
        XCTAssertEqual(gray.resized(to: ImageSize(height: 1, width: 4)).pixels, [0, 25, 75, 100])
        XCTAssertEqual(DecodedImage(chw: [1, 2, 3, 4, 5, 6], channels: 3, height: 1, width: 2).pixels, [1, 3, 5, 2, 4, 6])
    }

    func testDrawTextMarksPixelsOfTheGlyphs() throws {
        var image = DecodedImage(width: 20, height: 10, channels: 3, pixels: [UInt8](repeating: 0, count: 600))
        ImageDrawing.drawText("T1", on: &image, x: 1, y: 1, color: .white, background: nil)
        func lit(_ x: Int, _ y: Int) -> Bool { image.pixels[(y * 20 + x) * 3] == 255 }
        XCTAssertEqual((1...5).map { lit($0, 1) }, [true, true, true, true, true], "top bar of T")
        XCTAssertTrue(lit(3, 7), "stem of T")
        XCTAssertFalse(lit(1, 7))
        XCTAssertTrue(lit(8, 7) && lit(9, 7) && lit(10, 7), "base of 1 starts at x = 1 + 6")
        XCTAssertEqual(BitmapFont5x7.glyphs.count, 95)
        XCTAssertTrue(BitmapFont5x7.glyphs.allSatisfy { $0.count == 7 && $0.allSatisfy { $0 < 32 } })
        XCTAssertEqual(ImageDrawing.textSize("Bag", scale: 2).width, 34)
    }
}
