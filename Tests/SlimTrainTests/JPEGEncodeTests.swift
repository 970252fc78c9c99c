import XCTest
@testable import SlimTrain

final class JPEGEncodeTests: XCTestCase {
    func testJPEGEncoderRoundTripsAndRejectsBadSizes() throws {
        let pixels = gradientPixels(width: 16, height: 8, channels: 3)
        let bytes = try ImageCodec.encodeJPEG(pixels: pixels, width: 16, height: 8, channels: 3, quality: 100)
        let decoded = try ImageCodec.decode(bytes, path: "mem")
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [16, 8, 3])
        XCTAssertLessThanOrEqual(zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255, 12)
        XCTAssertEqual(bytes, try ImageCodec.encodeJPEG(pixels: pixels, width: 16, height: 8, channels: 3, quality: 100))
        assertDataError(["16x9"]) { _ = try ImageCodec.encodeJPEG(pixels: pixels, width: 16, height: 9, channels: 3) }
    }
}
