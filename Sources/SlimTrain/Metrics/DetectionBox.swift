/// One detected object of one image: a row `(label, score, xmin, ymin, xmax, ymax)` of
/// PaddleDetection's `multiclass_nms` output.
public struct DetectionBox: Codable, Equatable, Sendable {
    /// Class index (VOC: `0..<classNum`; COCO: any category id).
    public var label: Int
    /// Confidence; detections are ranked by it, highest first.
    public var score: Double
    public var box: BoundingBox

    public init(label: Int, score: Double, box: BoundingBox) {
        self.label = label
        self.score = score
        self.box = box
    }

    public init(label: Int, score: Double, xmin: Double, ymin: Double, xmax: Double, ymax: Double) {
        self.init(label: label, score: score, box: BoundingBox(xmin: xmin, ymin: ymin, xmax: xmax, ymax: ymax))
    }
}
