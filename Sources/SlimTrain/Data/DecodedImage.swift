/// An 8-bit image as codecs produce it: interleaved HWC, 1 (gray) or 3 (RGB) channels.
///
/// Pixel `(y, x)` channel `c` lives at `pixels[(y * width + x) * channels + c]`.
public struct DecodedImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "decoded images are gray or RGB, not \(channels) channels")
        precondition(pixels.count == width * height * channels, "\(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The same picture with `target` channels: gray -> RGB replicates, RGB -> gray uses the
    /// ITU-R BT.601 luma `Y = 0.299 R + 0.587 G + 0.114 B`, rounded.
    public func converted(toChannels target: Int) -> DecodedImage {
        precondition(target == 1 || target == 3, "target channels must be 1 or 3")
        if target == channels { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * target)
        if target == 3 {
            for i in 0..<n { let v = pixels[i]; out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v }
        } else {
            for i in 0..<n {
                let y = 0.299 * Float(pixels[3 * i]) + 0.587 * Float(pixels[3 * i + 1]) + 0.114 * Float(pixels[3 * i + 2])
                out[i] = UInt8(min(255, max(0, y.rounded())))
            }
        }
        return DecodedImage(width: width, height: height, channels: target, pixels: out)
    }

    /// Bilinearly resized (half-pixel centres), rounded back to bytes.
    public func resized(to size: ImageSize) -> DecodedImage {
        if size.height == height && size.width == width { return self }
        let planar = Bilinear.resize(chwFloats, channels: channels, height: height, width: width, to: size)
        var out = DecodedImage(width: size.width, height: size.height, channels: channels,
                               pixels: [UInt8](repeating: 0, count: size.width * size.height * channels))
        out.setCHW(planar.map { UInt8(min(255, max(0, $0.rounded()))) })
        return out
    }

    /// The pixels reordered to CHW bytes.
    public var chwBytes: [UInt8] {
        let n = width * height
        var out = [UInt8](repeating: 0, count: pixels.count)
        for i in 0..<n { for c in 0..<channels { out[c * n + i] = pixels[i * channels + c] } }
        return out
    }

    /// The pixels reordered to CHW floats (0...255).
    public var chwFloats: [Float] { chwBytes.map(Float.init) }

    /// Replaces the pixels from CHW bytes of the same size.
    public mutating func setCHW(_ chw: [UInt8]) {
        precondition(chw.count == pixels.count, "CHW buffer size mismatch")
        let n = width * height
        for i in 0..<n { for c in 0..<channels { pixels[i * channels + c] = chw[c * n + i] } }
    }

    /// An image from CHW bytes.
    public init(chw: [UInt8], channels: Int, height: Int, width: Int) {
        self.init(width: width, height: height, channels: channels, pixels: chw)
        setCHW(chw)
    }
}
