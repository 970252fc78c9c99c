/// A finite, random-access collection of labelled images.
///
/// Implementations must be safe to read from one background thread while the caller waits
/// (the `DataLoader` prefetches on its own thread); all the built-in data sets are immutable.
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// Shape of every sample's pixels: `[C, H, W]`.
    var imageShape: [Int] { get }
    /// Human-readable class names indexed by label, when known.
    var classNames: [String]? { get }
    /// The `i`-th sample, `0 <= i < count`.
    /// - Throws: `DataError` when the underlying file is unreadable or malformed.
    func sample(_ i: Int) throws -> Sample
    /// Where the `i`-th sample comes from, for error messages: its file, or its file and index.
    func sampleName(_ i: Int) -> String
    /// Whether samples carry `annotations` (detection data): batches then hold the padded
    /// ground truth `gt_box`, `gt_label`, `gt_score`, `is_difficult` and `im_size`.
    var annotatesBoxes: Bool { get }
}

extension Dataset {
    public func sampleName(_ i: Int) -> String { "sample \(i)" }
    public var annotatesBoxes: Bool { false }
}
