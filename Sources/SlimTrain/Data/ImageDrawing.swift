/// Simple drawing on decoded 8-bit images, for annotated inference outputs.
public enum ImageDrawing {
    /// An 8-bit colour; gray images use the luma of it.
    public struct Color: Equatable, Sendable {
        public var r: UInt8, g: UInt8, b: UInt8
        public init(r: UInt8, g: UInt8, b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }
        public static let white = Color(r: 255, g: 255, b: 255)
        public static let black = Color(r: 0, g: 0, b: 0)
        public static let red = Color(r: 230, g: 40, b: 40)
        public static let green = Color(r: 40, g: 200, b: 60)

        var gray: UInt8 {
            let luma: Float = 0.299 * Float(r) + 0.587 * Float(g) + 0.114 * Float(b)
            return UInt8(min(255, luma.rounded()))
        }
    }

    /// Sets pixel `(x, y)` if inside the image.
    public static func setPixel(_ image: inout DecodedImage, x: Int, y: Int, color: Color) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let i = (y * image.width + x) * image.channels
        if image.channels == 1 {
            image.pixels[i] = color.gray
        } else {
            image.pixels[i] = color.r; image.pixels[i + 1] = color.g; image.pixels[i + 2] = color.b
        }
    }

    /// Fills the rectangle `[x, x+width) x [y, y+height)` (clipped).
    public static func fillRect(_ image: inout DecodedImage, x: Int, y: Int, width: Int, height: Int, color: Color) {
        for yy in max(0, y)..<max(max(0, y), min(image.height, y + height)) {
            for xx in max(0, x)..<max(max(0, x), min(image.width, x + width)) {
                setPixel(&image, x: xx, y: yy, color: color)
            }
        }
    }

    /// Pixel size of `text` drawn at `scale`: 6 px per character (5 + 1 spacing), 7 px tall.
    public static func textSize(_ text: String, scale: Int = 1) -> (width: Int, height: Int) {
        (max(0, text.count * (BitmapFont5x7.width + 1) - 1) * scale, BitmapFont5x7.height * scale)
    }

    /// Draws ASCII `text` with its top-left corner at `(x, y)` using the 5x7 font, each font
    /// pixel a `scale x scale` block, optionally on a filled background box with a 1-block margin.
    public static func drawText(_ text: String, on image: inout DecodedImage, x: Int, y: Int,
                                color: Color = .white, background: Color? = .black, scale: Int = 1) {
        let s = max(1, scale)
        if let background {
            let size = textSize(text, scale: s)
            fillRect(&image, x: x - s, y: y - s, width: size.width + 2 * s, height: size.height + 2 * s, color: background)
        }
        for (n, character) in text.enumerated() {
            let left = x + n * (BitmapFont5x7.width + 1) * s
            for row in 0..<BitmapFont5x7.height {
                for col in 0..<BitmapFont5x7.width where BitmapFont5x7.isSet(character, x: col, y: row) {
                    fillRect(&image, x: left + col * s, y: y + row * s, width: s, height: s, color: color)
                }
            }
        }
    }
}
