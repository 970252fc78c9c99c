/// Pixel values of one sample, channel-major (CHW).
public enum PixelData: Equatable, Sendable {
    /// Raw 8-bit intensities in 0...255.
    case bytes([UInt8])
    /// Already floating point values (any range).
    case floats([Float])

    /// Number of values.
    public var count: Int {
        switch self {
        case let .bytes(b): return b.count
        case let .floats(f): return f.count
        }
    }

    /// The values as floats (bytes keep their 0...255 range; `ToTensor` rescales).
    public var floats: [Float] {
        switch self {
        case let .bytes(b): return b.map(Float.init)
        case let .floats(f): return f
        }
    }
}

/// One labelled example of a data set: pixels in CHW order and a class index.
public struct Sample: Equatable, Sendable {
    public var pixels: PixelData
    public var label: Int

    public init(pixels: PixelData, label: Int) {
        self.pixels = pixels
        self.label = label
    }
}
