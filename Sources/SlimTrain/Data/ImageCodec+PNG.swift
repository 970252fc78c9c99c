import CPNG
import Foundation

extension ImageCodec {
    /// Decodes PNG bytes with libpng's simplified API (which reports errors instead of
    /// jumping): gray(+alpha) images become 1 channel, colour ones 3 (alpha is composited on black;
    /// 16-bit and palette images are converted to 8-bit).
    /// - Throws: `DataError.malformed` naming `path` and libpng's message.
    public static func decodePNG(_ data: [UInt8], path: String) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw pngError(image, path: path, action: "read PNG header") }
        let color = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = color ? 3 : 1
        image.format = color ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height * channels <= maxDecodedBytes else {
            throw DataError.malformed(path: path, reason: "PNG of \(width)x\(height) is empty or too large")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else { throw pngError(image, path: path, action: "decode PNG") }
        return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes 8-bit interleaved pixels (HWC; 1 = gray, 3 = RGB, 4 = RGBA channels) as PNG and
    /// writes them to `path` atomically (temporary file, then rename).
    /// - Throws: `DataError.writeFailed` naming `path`.
    public static func encodePNG(pixels: [UInt8], width: Int, height: Int, channels: Int, to path: String) throws {
        try atomicWrite(encodePNG(pixels: pixels, width: width, height: height, channels: channels, path: path), to: path)
    }

    /// Writes a decoded image as PNG (atomically).
    public static func encodePNG(_ image: DecodedImage, to path: String) throws {
        try encodePNG(pixels: image.pixels, width: image.width, height: image.height, channels: image.channels, to: path)
    }

    /// PNG file bytes of 8-bit interleaved pixels; `path` only names the target in errors.
    public static func encodePNG(pixels: [UInt8], width: Int, height: Int, channels: Int, path: String = "<memory>") throws -> [UInt8] {
        let formats: [Int: UInt32] = [1: UInt32(PNG_FORMAT_GRAY), 3: UInt32(PNG_FORMAT_RGB),
                                       4: UInt32(PNG_FORMAT_RGB) | UInt32(PNG_FORMAT_FLAG_ALPHA)]
        guard let format = formats[channels], width > 0, height > 0, pixels.count == width * height * channels else {
            throw DataError.writeFailed(path: path, reason:
                "cannot encode \(pixels.count) bytes as a \(width)x\(height) PNG with \(channels) channels")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        defer { png_image_free(&image) }
        var size = 0
        let stride = Int32(width * channels)
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0 else {
            throw DataError.writeFailed(path: path, reason: message(image))
        }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard written != 0 else { throw DataError.writeFailed(path: path, reason: message(image)) }
        return Array(out.prefix(size))
    }

    private static func pngError(_ image: png_image, path: String, action: String) -> DataError {
        .malformed(path: path, reason: "cannot \(action): \(message(image))")
    }

    private static func message(_ image: png_image) -> String {
        var copy = image.message
        return withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
