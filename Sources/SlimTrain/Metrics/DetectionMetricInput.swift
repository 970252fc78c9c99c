/// Checks shared by the detection metrics: an image's boxes are rejected whole, before any of them is
/// counted, when a score or coordinate is not finite (e.g. a diverged model) or a label is out of range.
enum DetectionMetricInput {
    /// Throws `DataError.invalidConfiguration` naming the first bad box.
    /// - Parameter classNum: when given, labels must lie in `0..<classNum`.
    static func validate(detections: [DetectionBox], groundTruths: [GroundTruthBox], classNum: Int?) throws {
        for (i, d) in detections.enumerated() {
            guard d.score.isFinite, d.box.isFinite else {
                throw DataError.invalidConfiguration("detection \(i) has a non-finite score or coordinate: \(d)")
            }
            try checkLabel(d.label, of: "detection \(i)", classNum: classNum)
        }
        for (i, g) in groundTruths.enumerated() {
            guard g.box.isFinite, g.area?.isFinite ?? true else {
                throw DataError.invalidConfiguration("ground truth \(i) has a non-finite coordinate or area: \(g)")
            }
            try checkLabel(g.label, of: "ground truth \(i)", classNum: classNum)
        }
    }

    private static func checkLabel(_ label: Int, of what: String, classNum: Int?) throws {
        if let classNum, label < 0 || label >= classNum {
            throw DataError.invalidConfiguration(
                "\(what) has label \(label) outside 0..<\(classNum) (num_classes \(classNum); hint: do the labels start at 0?)")
        }
    }
}
