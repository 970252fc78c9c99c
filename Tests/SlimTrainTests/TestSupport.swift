import CJPEG
import Foundation
import XCTest
@testable import SlimTrain

/// A fresh temporary folder, removed by the caller's `addTeardownBlock`.
func makeTempDirectory(_ test: XCTestCase) throws -> String {
    let dir = NSTemporaryDirectory() + "slim-train-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

func writeFile(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Big-endian IDX bytes: magic, dims, payload.
func idxBytes(magic: UInt32, dims: [Int], payload: [UInt8]) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    return be(magic) + dims.flatMap { be(UInt32($0)) } + payload
}

/// Asserts that `body` throws a `DataError` whose message contains every fragment.
func assertDataError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a DataError containing \(fragments)", file: file, line: line)
    } catch let error as DataError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected DataError, got \(error)", file: file, line: line)
    }
}

/// Encodes interleaved 8-bit pixels as JPEG with libjpeg (test-only encoder; valid input only).
func encodeJPEGForTest(pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int32 = 95,
                       progressive: Bool = false) -> [UInt8] {
    guard width > 0, height > 0, pixels.count == width * height * channels else {
        XCTFail("encodeJPEGForTest: \(pixels.count) pixels for \(width)x\(height)x\(channels)")
        return []
    }
    var cinfo = jpeg_compress_struct()
    var err = jpeg_error_mgr()
    cinfo.err = jpeg_std_error(&err)
    jpeg_CreateCompress(&cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
    var buffer: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    jpeg_mem_dest(&cinfo, &buffer, &size)
    cinfo.image_width = JDIMENSION(width)
    cinfo.image_height = JDIMENSION(height)
    cinfo.input_components = Int32(channels)
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB
    jpeg_set_defaults(&cinfo)
    jpeg_set_quality(&cinfo, quality, 1)
    if progressive { jpeg_simple_progression(&cinfo) }
    jpeg_start_compress(&cinfo, 1)
    var rowPixels = pixels
    rowPixels.withUnsafeMutableBufferPointer { p in
        while cinfo.next_scanline < cinfo.image_height {
            guard let base = p.baseAddress else { return }
            var row: UnsafeMutablePointer<UInt8>? = base + Int(cinfo.next_scanline) * width * channels
            _ = jpeg_write_scanlines(&cinfo, &row, 1)
        }
    }
    jpeg_finish_compress(&cinfo)
    jpeg_destroy_compress(&cinfo)
    let out = [UInt8](UnsafeBufferPointer(start: buffer, count: Int(size)))
    free(buffer)
    return out
}

/// A small gradient test picture: R = 16x, G = 16y, B = 128 (or its luma for gray).
func gradientPixels(width: Int, height: Int, channels: Int) -> [UInt8] {
    var out: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            let rgb = [UInt8(min(255, 16 * x)), UInt8(min(255, 16 * y)), 128]
            out += channels == 3 ? rgb : [rgb[1]]
        }
    }
    return out
}
