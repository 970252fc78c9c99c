/// An axis-aligned box in corner form `(xmin, ymin, xmax, ymax)`: pixels, or normalized to [0, 1]
/// (the layout of PaddleDetection's `gt_bbox` and of `multiclass_nms` output rows).
public struct BoundingBox: Codable, Equatable, Sendable {
    public var xmin: Double
    public var ymin: Double
    public var xmax: Double
    public var ymax: Double

    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double) {
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }

    /// `xmax - xmin` and `ymax - ymin` (no pixel added: COCO's convention).
    public var width: Double { xmax - xmin }
    public var height: Double { ymax - ymin }

    /// True when all four coordinates are finite.
    public var isFinite: Bool { xmin.isFinite && ymin.isFinite && xmax.isFinite && ymax.isFinite }
}
