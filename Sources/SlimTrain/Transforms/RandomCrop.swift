import SlimTensor

/// Zero-pads every side by `padding` pixels, then crops a `size` window at a uniformly random
/// offset (`top` in `0...H+2p-h`, `left` in `0...W+2p-w`), as torchvision's `RandomCrop`.
/// A window larger than the padded image is centred and zero-filled. Boxes move with the window
/// (`x' = x - left`, `y' = y - top`), are clipped to it, and those left without area are dropped.
public struct RandomCrop: Transform, Sendable {
    public let size: ImageSize
    public let padding: Int

    /// - Throws: `DataError.invalidConfiguration` for a non-positive size or negative padding.
    public init(size: ImageSize, padding: Int = 0) throws {
        guard size.height > 0, size.width > 0, padding >= 0 else {
            throw DataError.invalidConfiguration("RandomCrop: size \(size) must be positive and padding \(padding) >= 0")
        }
        self.size = size
        self.padding = padding
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        let image = sample.image
        let paddedH = image.height + 2 * padding, paddedW = image.width + 2 * padding
        let top = Self.offset(slack: paddedH - size.height, rng: &rng) - padding
        let left = Self.offset(slack: paddedW - size.width, rng: &rng) - padding
        var out = Image(channels: image.channels, height: size.height, width: size.width)
        for c in 0..<image.channels {
            for y in 0..<size.height {
                let sy = y + top
                guard sy >= 0 && sy < image.height else { continue }
                for x in 0..<size.width {
                    let sx = x + left
                    if sx >= 0 && sx < image.width { out[c, y, x] = image[c, sy, sx] }
                }
            }
        }
        sample.image = out
        let (dx, dy, w, h) = (Double(left), Double(top), Double(size.width), Double(size.height))
        sample.moveBoxes { box in
            box = BoundingBox(xmin: min(max(box.xmin - dx, 0), w), ymin: min(max(box.ymin - dy, 0), h),
                              xmax: min(max(box.xmax - dx, 0), w), ymax: min(max(box.ymax - dy, 0), h))
        }
    }

    public func outputShape(_ input: [Int]) throws -> [Int] { [input[0], size.height, size.width] }

    /// Uniform in `0...slack`, or the centring offset when the window is larger.
    private static func offset(slack: Int, rng: inout SeededGenerator) -> Int {
        slack >= 0 ? Int(rng.next() % UInt64(slack + 1)) : slack / 2
    }
}
