/// A float image in CHW layout: the value `Transform`s work on.
///
/// Element `(c, y, x)` lives at `data[(c * height + y) * width + x]`.
public struct Image: Equatable, Sendable {
    public var data: [Float]
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(data: [Float], channels: Int, height: Int, width: Int) {
        precondition(data.count == channels * height * width,
                     "\(data.count) values for an image of \(channels)x\(height)x\(width)")
        self.data = data
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A zero image.
    public init(channels: Int, height: Int, width: Int) {
        self.init(data: [Float](repeating: 0, count: channels * height * width),
                  channels: channels, height: height, width: width)
    }

    /// The shape `[C, H, W]`.
    public var shape: [Int] { [channels, height, width] }

    /// Builds an image from a sample's pixels and the data set's `[C, H, W]` shape.
    /// - Throws: `DataError.mismatch` when the pixel count does not match the shape.
    public init(sample: Sample, shape: [Int], source: String) throws {
        guard shape.count == 3, sample.pixels.count == shape.reduce(1, *) else {
            throw DataError.mismatch(path: source, reason:
                "sample has \(sample.pixels.count) values, expected shape \(shape)")
        }
        self.init(data: sample.pixels.floats, channels: shape[0], height: shape[1], width: shape[2])
    }

    /// Value at channel `c`, row `y`, column `x`.
    @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
        get { data[(c * height + y) * width + x] }
        set { data[(c * height + y) * width + x] = newValue }
    }
}
