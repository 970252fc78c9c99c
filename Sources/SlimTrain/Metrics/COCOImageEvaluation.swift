/// The matches of one image and one category at every IoU threshold and area range
/// (pycocotools `COCOeval.computeIoU` + `evaluateImg` for `iouType='bbox'`).
///
/// - Detections are ranked by score descending (stable: ties keep their input order) and only the
///   first `maxDetections` are kept.
/// - A ground truth is ignored when it is a crowd or its area is outside the range `[lo, hi]`;
///   ignored ones are tried after the others (stable).
/// - IoU, boxes as `(x, y, w, h)` with `w = xmax - xmin` (no pixel added): the intersection
///   `iw = min(x_d + w_d, x_g + w_g) - max(x_d, x_g)` (0 if `<= 0`), `ih` alike, `I = iw * ih`;
///   `IoU = I / (w_d h_d + w_g h_g - I)`, or `I / (w_d h_d)` for a crowd.
/// - At threshold `t` each detection, best first, takes the ground truth with the largest IoU
///   `>= min(t, 1 - 1e-10)` (the later one on equal IoU) among those not yet taken (a crowd can be
///   taken again); once it holds a regular one it never moves to an ignored one. A detection on an
///   ignored ground truth is ignored; an unmatched detection whose area `w_d h_d` is outside the
///   range is ignored too. The rest: matched = TP, unmatched = FP.
struct COCOImageEvaluation: Sendable {
    /// The matches for one area range.
    struct RangeResult: Sendable {
        /// Ground truths that are not ignored (the positives of this image).
        var positives: Int
        /// `[threshold][detection]`: matched to a ground truth.
        var matched: [[Bool]]
        /// `[threshold][detection]`: neither TP nor FP.
        var ignored: [[Bool]]
    }

    /// Scores of the kept detections, highest first.
    let scores: [Double]
    /// One per area range, in the order given.
    let ranges: [RangeResult]

    init(detections: [DetectionBox], groundTruths: [GroundTruthBox], maxDetections: Int,
         iouThresholds: [Double], areaRanges: [ClosedRange<Double>]) {
        let ranked = detections.indices
            .sorted { detections[$0].score != detections[$1].score ? detections[$0].score > detections[$1].score : $0 < $1 }
            .prefix(maxDetections).map { detections[$0] }
        scores = ranked.map(\.score)
        let ious = ranked.map { d in groundTruths.map { Self.iou(d.box, $0.box, crowd: $0.isCrowd) } }
        ranges = areaRanges.map { range in
            Self.match(ranked, groundTruths, ious: ious, thresholds: iouThresholds, range: range)
        }
    }

    private static func match(_ detections: [DetectionBox], _ groundTruths: [GroundTruthBox], ious: [[Double]],
                              thresholds: [Double], range: ClosedRange<Double>) -> RangeResult {
        let gtIgnored = groundTruths.map { g in g.isCrowd || !range.contains(g.area ?? g.box.width * g.box.height) }
        let order = groundTruths.indices.filter { !gtIgnored[$0] } + groundTruths.indices.filter { gtIgnored[$0] }
        var matched = Array(repeating: Array(repeating: false, count: detections.count), count: thresholds.count)
        var ignored = matched
        for (t, threshold) in thresholds.enumerated() {
            var taken = Array(repeating: false, count: groundTruths.count)
            for d in detections.indices {
                var best = min(threshold, 1 - 1e-10), m = -1
                for g in order {
                    if taken[g] && !groundTruths[g].isCrowd { continue }
                    if m >= 0 && !gtIgnored[m] && gtIgnored[g] { break }
                    if ious[d][g] < best { continue }
                    best = ious[d][g]
                    m = g
                }
                if m >= 0 {
                    matched[t][d] = true
                    ignored[t][d] = gtIgnored[m]
                    taken[m] = true
                } else {
                    ignored[t][d] = !range.contains(detections[d].box.width * detections[d].box.height)
                }
            }
        }
        return RangeResult(positives: gtIgnored.filter { !$0 }.count, matched: matched, ignored: ignored)
    }

    /// pycocotools' `bbIou` for one pair (see the type's documentation).
    static func iou(_ d: BoundingBox, _ g: BoundingBox, crowd: Bool) -> Double {
        let (dx, dy, dw, dh) = (d.xmin, d.ymin, d.width, d.height)
        let (gx, gy, gw, gh) = (g.xmin, g.ymin, g.width, g.height)
        let iw = min(dx + dw, gx + gw) - max(dx, gx)
        guard iw > 0 else { return 0 }
        let ih = min(dy + dh, gy + gh) - max(dy, gy)
        guard ih > 0 else { return 0 }
        let inter = iw * ih, detArea = dw * dh
        return inter / (crowd ? detArea : detArea + gw * gh - inter)
    }
}
