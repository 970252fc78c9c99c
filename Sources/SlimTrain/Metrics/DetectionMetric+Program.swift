import SlimGraph

extension DetectionMetric {
    /// VOC mAP over `output` when `program`'s `multiclass_nms` op writes it: the class count
    /// is its `Scores` input's `C` (`[N, C, M]`), the per-image counts its `NmsRoisNum`.
    /// - Returns: nil when no `multiclass_nms` writes `output` or its scores have no static class count.
    /// - Throws: `DataError` from `VOCMeanAP` (not for a well-formed program).
    public static func voc(program: Program, output: String) throws -> DetectionMetric? {
        guard let nms = program.ops.last(where: { $0.type == "multiclass_nms" && $0.output("Out") == output }),
              let scores = nms.input("Scores"), let shape = program.variable(scores)?.shape, shape.count == 3, shape[1] > 0 else {
            return nil
        }
        return DetectionMetric(.voc(try VOCMeanAP(classNum: shape[1])), output: output, counts: nms.output("NmsRoisNum"))
    }
}
