/// The task of a model and so how it is measured: the metric `slim eval`, `slim train` and the
/// compressor report, whose primary value picks the best epoch.
public enum MetricKind: String, CaseIterable, Codable, Hashable, Sendable {
    /// Classification: loss, top-1 (primary) and top-5 accuracy.
    case topK = "TopK"
    /// Detection: PaddleDetection's VOC mAP (primary), `11point` or `integral`.
    case voc = "VOC"
    /// Detection: COCO box AP (primary) with AP50, AP75 and the area ranges.
    case coco = "COCO"
}
