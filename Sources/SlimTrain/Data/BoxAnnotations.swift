/// The annotated objects of one image, PaddleDetection's per-sample `gt_bbox`, `gt_class`,
/// `is_difficult` and `gt_score`: one entry per object in each list.
///
/// Boxes are corner form `(xmin, ymin, xmax, ymax)` in pixels of the image they annotate; box-
/// aware transforms (`RandomCrop`, `RandomFlip`, `Resize`) move them with the pixels.
public struct BoxAnnotations: Equatable, Sendable {
    public var boxes: [BoundingBox]
    /// Class index of each box.
    public var labels: [Int]
    /// VOC `difficult` of each box.
    public var difficult: [Bool]
    /// Weight of each box (1 unless mixed up).
    public var scores: [Float]

    /// - Parameters: `difficult` defaults to all false, `scores` to all 1.
    /// - Precondition: the lists have one entry per box.
    public init(boxes: [BoundingBox], labels: [Int], difficult: [Bool]? = nil, scores: [Float]? = nil) {
        precondition(labels.count == boxes.count, "one label per box")
        precondition((difficult?.count ?? boxes.count) == boxes.count && (scores?.count ?? boxes.count) == boxes.count,
                     "one difficult flag and one score per box")
        self.boxes = boxes
        self.labels = labels
        self.difficult = difficult ?? Array(repeating: false, count: boxes.count)
        self.scores = scores ?? Array(repeating: 1, count: boxes.count)
    }

    /// Number of objects.
    public var count: Int { boxes.count }

    /// Keeps the objects whose index satisfies `keep`, in order.
    public mutating func filter(_ keep: (Int) -> Bool) {
        let kept = boxes.indices.filter(keep)
        guard kept.count < boxes.count else { return }
        boxes = kept.map { boxes[$0] }
        labels = kept.map { labels[$0] }
        difficult = kept.map { difficult[$0] }
        scores = kept.map { scores[$0] }
    }
}
