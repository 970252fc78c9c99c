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

    /// `bytes` with the frame header (SOF0 baseline or SOF2 progressive) declaring another size.
    private func declaringJPEGSize(_ bytes: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        var out = bytes
        let sof = try XCTUnwrap((2..<out.count - 9).first { out[$0] == 0xFF && (out[$0 + 1] == 0xC0 || out[$0 + 1] == 0xC2) })
        out[sof + 5...sof + 8] = [UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF)]
        return out
    }

    func testJPEGDeclaringAHugeSizeIsRefusedBeforeDecoding() throws {
        for progressive in [false, true] {
            let small = encodeJPEGForTest(pixels: gradientPixels(width: 16, height: 16, channels: 3), width: 16, height: 16, channels: 3,
                                          progressive: progressive)
            let bomb = try declaringJPEGSize(small, width: 60000, height: 60000)
            assertDataError(["bomb.jpg", "declares 60000x60000 pixels of 3 components", "\(ImageCodec.maxDecodedBytes) bytes"]) {
                _ = try ImageCodec.decode(bomb, path: "bomb.jpg")
            }
            assertDataError(["empty.jpg"]) {
                _ = try ImageCodec.decode(try declaringJPEGSize(small, width: 0, height: 16), path: "empty.jpg")
            }
            XCTAssertEqual(try ImageCodec.decode(small, path: "ok.jpg").width, 16, "progressive: \(progressive)")
        }
    }

    func testPNGDeclaringAHugeSizeIsRefusedBeforeDecoding() throws {
        var png = try ImageCodec.encodePNG(pixels: gradientPixels(width: 9, height: 9, channels: 3), width: 9, height: 9, channels: 3)
        // IHDR is the first chunk: length at 8, type at 12, width at 16, height at 20, CRC after 13 bytes of data.
        XCTAssertEqual(Array(png[12..<16]), Array("IHDR".utf8))
        for (offset, value) in [(16, 60000), (20, 60000)] {
            png[offset...offset + 3] = [0, 0, UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        let crc = crc32(png[12..<29])
        png[29...32] = [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        assertDataError(["bomb.png", "60000x60000", "too large"]) { _ = try ImageCodec.decode(png, path: "bomb.png") }
    }

    /// CRC-32 (IEEE, as PNG chunks use).
    private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
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
