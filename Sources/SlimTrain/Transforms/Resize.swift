import SlimTensor

/// Bilinear resize to `size` (half-pixel centres, see `Bilinear`); boxes scale with the image:
/// `x' = x * W' / W`, `y' = y * H' / H`.
public struct Resize: Transform, Sendable {
    public let size: ImageSize

    /// - Throws: `DataError.invalidConfiguration` for a non-positive size.
    public init(size: ImageSize) throws {
        guard size.height > 0, size.width > 0 else {
            throw DataError.invalidConfiguration("Resize: size \(size) must be positive")
        }
        self.size = size
    }

    public func outputShape(_ input: [Int]) throws -> [Int] { [input[0], size.height, size.width] }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        let image = sample.image
        guard image.height != size.height || image.width != size.width else { return }
        let data = Bilinear.resize(image.data, channels: image.channels, height: image.height, width: image.width, to: size)
        sample.image = Image(data: data, channels: image.channels, height: size.height, width: size.width)
        let sx = Double(size.width) / Double(image.width), sy = Double(size.height) / Double(image.height)
        sample.moveBoxes { box in
            (box.xmin, box.xmax) = (box.xmin * sx, box.xmax * sx)
            (box.ymin, box.ymax) = (box.ymin * sy, box.ymax * sy)
        }
    }
}
