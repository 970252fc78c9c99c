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

/// One example of a data set: pixels in CHW order and a class index, and for detection data
/// its annotated objects (boxes in pixels of these pixels) and image id.
public struct Sample: Equatable, Sendable {
    public var pixels: PixelData
    /// The class of a classification sample (0 for a detection sample).
    public var label: Int
    /// The sample's objects, for detection data.
    public var annotations: BoxAnnotations?
    /// The image id (COCO `im_id`), when the data set has ids.
    public var imageID: Int?
    /// `[C, H, W]` of this sample's pixels when it differs from the data set's `imageShape`
    /// (detection images of many sizes; the transforms must then resize them to one shape).
    public var shape: [Int]?

    public init(pixels: PixelData, label: Int, annotations: BoxAnnotations? = nil, imageID: Int? = nil, shape: [Int]? = nil) {
        self.pixels = pixels
        self.label = label
        self.annotations = annotations
        self.imageID = imageID
        self.shape = shape
    }
}
