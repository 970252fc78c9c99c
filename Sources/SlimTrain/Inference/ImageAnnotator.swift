/// Draws a prediction onto a copy of an image, legibly at any input size.
///
/// The picture is converted to RGB and upscaled by the smallest whole factor
/// `f = ceil(minWidth / W)` (nearest neighbour, so small images stay crisp: 28 px -> 112 px);
/// a black banner with the text in white sits above it. The font scale grows with the width
/// (`s = max(1, W' / 160)`), and the canvas widens when the text needs more room.
public struct ImageAnnotator: Sendable {
    /// Smallest width of the annotated picture, in pixels.
    public var minWidth: Int

    public init(minWidth: Int = 112) {
        precondition(minWidth > 0, "minWidth must be positive")
        self.minWidth = minWidth
    }

    /// The annotated RGB copy of `image` with `text` in a banner above it.
    public func annotate(_ image: DecodedImage, text: String) -> DecodedImage {
        let factor = max(1, (minWidth + image.width - 1) / image.width)
        let picture = Self.upscaled(image.converted(toChannels: 3), by: factor)
        let scale = max(1, picture.width / 160)
        let margin = 2 * scale
        let textSize = ImageDrawing.textSize(text, scale: scale)
        let banner = textSize.height + 2 * margin
        let width = max(picture.width, textSize.width + 2 * margin)
        var canvas = DecodedImage(width: width, height: picture.height + banner, channels: 3,
                                  pixels: [UInt8](repeating: 0, count: width * (picture.height + banner) * 3))
        Self.paste(picture, into: &canvas, top: banner)
        ImageDrawing.drawText(text, on: &canvas, x: margin, y: margin, color: .white, background: nil, scale: scale)
        return canvas
    }

    /// Each pixel repeated `factor x factor` times.
    static func upscaled(_ image: DecodedImage, by factor: Int) -> DecodedImage {
        guard factor > 1 else { return image }
        let (w, h, c) = (image.width * factor, image.height * factor, image.channels)
        var pixels = [UInt8](repeating: 0, count: w * h * c)
        for y in 0..<h {
            for x in 0..<w {
                let src = ((y / factor) * image.width + x / factor) * c
                for k in 0..<c { pixels[(y * w + x) * c + k] = image.pixels[src + k] }
            }
        }
        return DecodedImage(width: w, height: h, channels: c, pixels: pixels)
    }

    /// Copies `picture` (same channels) into `canvas` at row `top`, column 0.
    static func paste(_ picture: DecodedImage, into canvas: inout DecodedImage, top: Int) {
        precondition(picture.channels == canvas.channels && picture.width <= canvas.width
                     && top + picture.height <= canvas.height, "picture does not fit the canvas")
        let rowBytes = picture.width * picture.channels
        for y in 0..<picture.height {
            let dst = ((top + y) * canvas.width) * canvas.channels
            canvas.pixels.replaceSubrange(dst..<(dst + rowBytes), with: picture.pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
    }
}
