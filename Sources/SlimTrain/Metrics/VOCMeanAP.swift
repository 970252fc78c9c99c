/// Pascal VOC mean average precision as PaddleDetection 0.1 computes it (`DetectionMAP` in
/// `ppdet/utils/map_utils.py`, fed image by image by `voc_eval.bbox_eval`).
///
/// **Matching, per image** (`update`), detections in the order given (not sorted by score first):
/// - a ground truth is a positive of its class unless it is difficult and `evaluateDifficult` is false;
/// - a detection is compared with every ground truth of its class; the first one with the largest IoU
///   wins. If that IoU is strictly above `overlapThresh`: a difficult ground truth (not evaluated) makes
///   the detection ignored, neither TP nor FP; otherwise it is a TP if that ground truth is still
///   unmatched in this image, else an FP (a duplicate, even when it scores higher than the first match).
///   IoU at or below the threshold, or no ground truth of its class: FP.
/// - IoU (`jaccard_overlap`): 0 when the boxes are disjoint or touch (`a.xmin >= b.xmax`, ...), else
///   `I / (A_d + A_g - I)` with `area = (xmax - xmin + n) * (ymax - ymin + n)`, `n = 1` for pixel boxes
///   (`isBBoxNormalized` false), 0 for normalized ones; `I` is the area of the intersection box.
///
/// **Per class** with at least one positive *and* at least one recorded detection (other classes are
/// skipped, counted neither as 0 nor in the mean; PaddleDetection 0.1 skips a class that has ground
/// truth but no detection too): the records are sorted by score descending, ties in the order they
/// were recorded (image order, then detection order: Python's stable `sorted(reverse=True)`). After
/// the k-th record, `P_k = TP_k / k` and `R_k = TP_k / positives`.
/// - 11point: `AP = (1/11) Σ_{j=0..10} max{P_k : R_k >= j/10}` (0 when no k reaches `j/10`);
/// - integral: `AP = Σ_k P_k (R_k - R')` over the k whose recall exceeds `R'` by more than 1e-6, `R'`
///   being the recall at the previous such k (0 at the start): precision is not interpolated.
///
/// `value` = mean of the class APs in class order, 0 when no class qualifies; in [0, 1]
/// (PaddleDetection prints it times 100).
///
/// PaddleDetection's evaluation also skips a whole batch, ground truth included, when its detection
/// output is empty (`[[-1]]`); reproducing that is up to the caller (call `update` for none of it).
public struct VOCMeanAP: Sendable {
    /// `map_type`.
    public enum MapType: String, CaseIterable, Codable, Sendable {
        case elevenPoint = "11point"
        case integral
    }

    public let classNum: Int
    public let overlapThresh: Double
    public let mapType: MapType
    public let isBBoxNormalized: Bool
    public let evaluateDifficult: Bool

    /// Positives (counted ground truths) per class.
    public private(set) var positives: [Int]
    /// Per class, `(score, isTruePositive)` in the order recorded.
    private var records: [[(score: Double, tp: Bool)]]

    /// - Throws: `DataError.invalidConfiguration` when `classNum < 1` or `overlapThresh` is not in [0, 1].
    public init(classNum: Int, overlapThresh: Double = 0.5, mapType: MapType = .elevenPoint,
                isBBoxNormalized: Bool = false, evaluateDifficult: Bool = false) throws {
        guard classNum >= 1 else { throw DataError.invalidConfiguration("num_classes \(classNum) must be at least 1") }
        guard overlapThresh >= 0, overlapThresh <= 1 else {
            throw DataError.invalidConfiguration("overlap_thresh \(overlapThresh) must be in [0, 1]")
        }
        self.classNum = classNum
        self.overlapThresh = overlapThresh
        self.mapType = mapType
        self.isBBoxNormalized = isBBoxNormalized
        self.evaluateDifficult = evaluateDifficult
        positives = Array(repeating: 0, count: classNum)
        records = Array(repeating: [], count: classNum)
    }

    /// Adds one image. Nothing is recorded when it throws.
    /// - Throws: `DataError.invalidConfiguration` for a label outside `0..<classNum` or a non-finite value.
    public mutating func update(detections: [DetectionBox], groundTruths: [GroundTruthBox]) throws {
        try DetectionMetricInput.validate(detections: detections, groundTruths: groundTruths, classNum: classNum)
        for g in groundTruths where evaluateDifficult || !g.difficult { positives[g.label] += 1 }
        var matched = Array(repeating: false, count: groundTruths.count)
        for d in detections {
            var best = -1.0, bestIndex = -1
            for (i, g) in groundTruths.enumerated() where g.label == d.label {
                let overlap = jaccard(d.box, g.box)
                if overlap > best { best = overlap; bestIndex = i }
            }
            guard best > overlapThresh else {
                records[d.label].append((d.score, false))
                continue
            }
            if !evaluateDifficult && groundTruths[bestIndex].difficult { continue }
            records[d.label].append((d.score, !matched[bestIndex]))
            matched[bestIndex] = true
        }
    }

    /// The AP of each class, `nil` for a skipped class (no positive or no detection).
    public var classAPs: [Double?] {
        (0..<classNum).map { c in
            positives[c] == 0 || records[c].isEmpty ? nil : averagePrecision(records[c], positives: positives[c])
        }
    }

    /// mAP in [0, 1]: the mean of the non-skipped class APs, 0 when every class is skipped.
    public var value: Double {
        let aps = classAPs.compactMap { $0 }
        return aps.isEmpty ? 0 : aps.reduce(0, +) / Double(aps.count)
    }

    /// `jaccard_overlap` with the pixel convention of `isBBoxNormalized`.
    func jaccard(_ a: BoundingBox, _ b: BoundingBox) -> Double {
        if a.xmin >= b.xmax || a.xmax <= b.xmin || a.ymin >= b.ymax || a.ymax <= b.ymin { return 0 }
        let n = isBBoxNormalized ? 0.0 : 1.0
        func area(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Double { (x1 - x0 + n) * (y1 - y0 + n) }
        let inter = area(max(a.xmin, b.xmin), max(a.ymin, b.ymin), min(a.xmax, b.xmax), min(a.ymax, b.ymax))
        return inter / (area(a.xmin, a.ymin, a.xmax, a.ymax) + area(b.xmin, b.ymin, b.xmax, b.ymax) - inter)
    }

    /// One class's AP from its records (see the type's documentation).
    private func averagePrecision(_ records: [(score: Double, tp: Bool)], positives: Int) -> Double {
        // Stable by construction: equal scores keep their recording order.
        let order = records.indices.sorted { i, j in
            records[i].score != records[j].score ? records[i].score > records[j].score : i < j
        }
        var precision: [Double] = [], recall: [Double] = []
        var tp = 0
        for (k, i) in order.enumerated() {
            if records[i].tp { tp += 1 }
            precision.append(Double(tp) / Double(k + 1))
            recall.append(Double(tp) / Double(positives))
        }
        switch mapType {
        case .elevenPoint:
            var sum = 0.0
            for j in 0...10 {
                let level = Double(j) / 10
                sum += zip(precision, recall).filter { $0.1 >= level }.map(\.0).max() ?? 0
            }
            return sum / 11
        case .integral:
            var ap = 0.0, previous = 0.0
            for (p, r) in zip(precision, recall) where abs(r - previous) > 1e-6 {
                ap += p * abs(r - previous)
                previous = r
            }
            return ap
        }
    }
}
