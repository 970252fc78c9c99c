import SlimGraph
import SlimTensor

/// Detection's metric over a model's NMS output: VOC mAP (`VOCMeanAP`, value `map`) or COCO box
/// AP (`COCOAveragePrecision`, values `AP` (primary), `AP50`, `AP75`, `APs`, `APm`, `APl`, -1 where
/// pycocotools prints -1).
///
/// The output is Paddle's `multiclass_nms` layout: `[M, 6]` f32 rows `(label, score, xmin, ymin,
/// xmax, ymax)` in original-image pixels, the images' rows one after the other; `counts` names an
/// `[N]` s32 var with each image's row count (Paddle's LoD), and may be nil for batches of one
/// image. An output of `[[-1]]` (no detection in the whole batch) skips the batch, ground truth
/// included, as PaddleDetection's evaluation does.
///
/// The ground truth is the batch's `gt_box` (in transformed-image pixels), `gt_label`,
/// `is_difficult` and `boxCounts`; boxes are mapped back to original-image pixels by the ratio
/// of `originalSizes` to the image tensor's size, undoing a `Resize` (the only geometric transform
/// of an eval reader). Boxes are stored as f32, so the mapped coordinates differ from the
/// annotations' by float rounding (about 1e-7 relative).
public struct DetectionMetric: Metric {
    /// Which detection metric, with its accumulated state.
    public enum Kind: Sendable {
        case voc(VOCMeanAP)
        case coco(COCOAveragePrecision)
    }

    public let output: String
    public let counts: String?
    private var kind: Kind
    private let initial: Kind
    private var samples = 0

    public init(_ kind: Kind, output: String, counts: String? = nil) {
        self.kind = kind
        initial = kind
        self.output = output
        self.counts = counts
    }

    public var fetches: [String] { [output] + (counts.map { [$0] } ?? []) }

    public mutating func update(batch: Batch, outputs: [String: Tensor]) throws {
        let detections = try Self.detections(outputs, output: output, counts: counts, images: batch.count)
        samples += batch.count
        guard let detections else { return }
        let truths = try Self.groundTruths(batch)
        for (d, g) in zip(detections, truths) {
            switch kind {
            case var .voc(m): try m.update(detections: d, groundTruths: g); kind = .voc(m)
            case var .coco(m): try m.update(detections: d, groundTruths: g); kind = .coco(m)
            }
        }
    }

    public func accumulate() -> EvalResult {
        switch kind {
        case let .voc(m):
            return EvalResult(values: [.init("map", m.value)], primary: "map", samples: samples)
        case let .coco(m):
            let r = m.result
            let values = [("AP", r.ap), ("AP50", r.ap50), ("AP75", r.ap75), ("APs", r.apSmall), ("APm", r.apMedium), ("APl", r.apLarge)]
            return EvalResult(values: values.map { EvalResult.Value($0.0, $0.1 ?? -1) }, primary: "AP", samples: samples)
        }
    }

    public mutating func reset() {
        kind = initial
        samples = 0
    }

    /// Each image's detections, or nil for Paddle's empty output `[[-1]]`.
    /// - Throws: `GraphError` when the output is not `[M, 6]` or the counts do not add up to `M`.
    static func detections(_ fetched: [String: Tensor], output: String, counts: String?, images: Int) throws -> [[DetectionBox]]? {
        guard let out = fetched[output], out.shape.count == 2 else {
            throw GraphError("the model's output '\(output)' is \(fetched[output]?.shape ?? []), not NMS rows [M, 6]")
        }
        if out.shape == [1, 1], out.floats[0] == -1 { return nil }
        guard out.shape[1] == 6 else { throw GraphError("the model's output '\(output)' is \(out.shape), not NMS rows [M, 6]") }
        let perImage = try rowCounts(fetched, counts: counts, rows: out.shape[0], images: images)
        let v = out.floats
        var start = 0
        return perImage.map { n in
            defer { start += n }
            return (start..<(start + n)).map { r in
                DetectionBox(label: Int(v[r * 6]), score: Double(v[r * 6 + 1]), xmin: Double(v[r * 6 + 2]), ymin: Double(v[r * 6 + 3]),
                             xmax: Double(v[r * 6 + 4]), ymax: Double(v[r * 6 + 5]))
            }
        }
    }

    private static func rowCounts(_ fetched: [String: Tensor], counts: String?, rows: Int, images: Int) throws -> [Int] {
        guard let counts else {
            guard images == 1 else { throw GraphError("NMS output of \(images) images needs per-image counts (the output's LoD)") }
            return [rows]
        }
        guard let c = fetched[counts], c.count == images else {
            throw GraphError("the NMS counts '\(counts)' are \(fetched[counts]?.shape ?? []), expected [\(images)]")
        }
        let perImage = c.asFloats.map { Int($0) }
        guard perImage.allSatisfy({ $0 >= 0 }), perImage.reduce(0, +) == rows else {
            throw GraphError("the NMS counts '\(counts)' \(perImage) do not add up to the \(rows) output rows")
        }
        return perImage
    }

    /// Each image's ground truth in original-image pixels.
    /// - Throws: `DataError.mismatch` when the batch has no padded ground truth.
    static func groundTruths(_ batch: Batch) throws -> [[GroundTruthBox]] {
        guard let boxes = batch[BoxBatch.box], let labels = batch[BoxBatch.label], let counts = batch.boxCounts, boxes.shape.count == 3 else {
            throw DataError.mismatch(path: batch.sampleName(row: 0), reason: "detection evaluation needs annotated data (gt_box, gt_label)")
        }
        let b = boxes.floats, l = labels.asFloats, d = batch[BoxBatch.difficult]?.asFloats
        let maxBoxes = boxes.shape[1], (h, w) = (batch.images.shape[2], batch.images.shape[3])
        return (0..<batch.count).map { row in
            let size = batch.originalSizes?[row] ?? ImageSize(height: h, width: w)
            let sx = Double(size.width) / Double(w), sy = Double(size.height) / Double(h)
            return (0..<counts[row]).map { i in
                let k = row * maxBoxes + i
                let box = BoundingBox(xmin: Double(b[k * 4]) * sx, ymin: Double(b[k * 4 + 1]) * sy,
                                      xmax: Double(b[k * 4 + 2]) * sx, ymax: Double(b[k * 4 + 3]) * sy)
                return GroundTruthBox(label: Int(l[k]), box: box, difficult: (d?[k] ?? 0) != 0)
            }
        }
    }
}
