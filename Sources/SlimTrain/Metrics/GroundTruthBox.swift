/// One annotated object of one image (PaddleDetection's `gt_bbox`, `gt_class`, `is_difficult`;
/// COCO's `bbox`, `category_id`, `iscrowd`, `area`).
public struct GroundTruthBox: Codable, Equatable, Sendable {
    /// Class index (VOC: `0..<classNum`; COCO: any category id).
    public var label: Int
    public var box: BoundingBox
    /// VOC `difficult`: unless evaluated, neither a positive nor a source of false positives.
    /// `COCOAveragePrecision` does not read it.
    public var difficult: Bool
    /// COCO `iscrowd`: an ignored region any number of detections may fall into.
    /// `VOCMeanAP` does not read it.
    public var isCrowd: Bool
    /// COCO `area`, which decides small / medium / large (a segmentation area in COCO's own files);
    /// `nil` means the box area `width * height`. `VOCMeanAP` does not read it.
    public var area: Double?

    public init(label: Int, box: BoundingBox, difficult: Bool = false, isCrowd: Bool = false, area: Double? = nil) {
        self.label = label
        self.box = box
        self.difficult = difficult
        self.isCrowd = isCrowd
        self.area = area
    }
}
