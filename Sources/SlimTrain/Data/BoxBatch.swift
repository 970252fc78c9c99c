import SlimTensor

/// The ground truth of a detection batch, padded to `numMaxBoxes` objects per sample as
/// PaddleDetection's `PadBox` does (extra objects dropped, missing ones zero), plus each
/// sample's original size, object count and image id.
///
/// Tensors (named as PaddleDetection's reader fields): `gt_box` `[N, B, 4]` f32 (xyxy pixels of
/// the transformed image), `gt_label` `[N, B]` s32, `gt_score` `[N, B]` f32, `is_difficult`
/// `[N, B]` s32, `im_size` `[N, 2]` s32 (height, width before the transforms).
struct BoxBatch {
    static let box = "gt_box", label = "gt_label", score = "gt_score", difficult = "is_difficult", imageSize = "im_size"

    let numMaxBoxes: Int
    private var boxes: Tensor, labels: Tensor, scores: Tensor, difficult: Tensor, sizes: Tensor
    private(set) var counts: [Int]
    private(set) var originalSizes: [ImageSize]
    private(set) var imageIDs: [Int]?

    init(samples n: Int, numMaxBoxes: Int) {
        precondition(numMaxBoxes > 0, "num_max_boxes must be > 0")
        self.numMaxBoxes = numMaxBoxes
        boxes = Tensor(shape: [n, numMaxBoxes, 4])
        labels = Tensor(shape: [n, numMaxBoxes], dtype: .s32)
        scores = Tensor(shape: [n, numMaxBoxes])
        difficult = Tensor(shape: [n, numMaxBoxes], dtype: .s32)
        sizes = Tensor(shape: [n, 2], dtype: .s32)
        counts = Array(repeating: 0, count: n)
        originalSizes = Array(repeating: ImageSize(0), count: n)
        imageIDs = Array(repeating: 0, count: n)
    }

    /// Sets row `row`: the transformed sample's objects, its size before the transforms and its id.
    mutating func set(row: Int, _ annotations: BoxAnnotations?, originalSize: ImageSize, imageID: Int?) {
        let a = annotations ?? BoxAnnotations(boxes: [], labels: [])
        let count = min(a.count, numMaxBoxes), base = row * numMaxBoxes
        boxes.withUnsafeMutableFloats { p in
            for i in 0..<count {
                let b = a.boxes[i], o = (base + i) * 4
                (p[o], p[o + 1], p[o + 2], p[o + 3]) = (Float(b.xmin), Float(b.ymin), Float(b.xmax), Float(b.ymax))
            }
        }
        labels.withUnsafeMutableElements(as: Int32.self) { p in for i in 0..<count { p[base + i] = Int32(truncatingIfNeeded: a.labels[i]) } }
        scores.withUnsafeMutableFloats { p in for i in 0..<count { p[base + i] = a.scores[i] } }
        difficult.withUnsafeMutableElements(as: Int32.self) { p in for i in 0..<count { p[base + i] = a.difficult[i] ? 1 : 0 } }
        sizes.withUnsafeMutableElements(as: Int32.self) { p in
            (p[row * 2], p[row * 2 + 1]) = (Int32(originalSize.height), Int32(originalSize.width))
        }
        counts[row] = count
        originalSizes[row] = originalSize
        if let imageID { imageIDs?[row] = imageID } else { imageIDs = nil }
    }

    /// Adds the tensors and the per-sample metadata to `batch`.
    func add(to batch: inout Batch) {
        batch.tensors[Self.box] = boxes
        batch.tensors[Self.label] = labels
        batch.tensors[Self.score] = scores
        batch.tensors[Self.difficult] = difficult
        batch.tensors[Self.imageSize] = sizes
        batch.boxCounts = counts
        batch.originalSizes = originalSizes
        batch.imageIDs = imageIDs
    }
}
