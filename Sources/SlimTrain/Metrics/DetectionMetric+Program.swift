import SlimGraph

extension DetectionMetric {
    /// VOC mAP (`mapType`, PaddleDetection's `map_type`) over `output` when `program`'s
    /// `multiclass_nms` op writes it: the class count is its `Scores` input's `C` (`[N, C, M]`),
    /// the per-image counts its `NmsRoisNum`.
    /// - Returns: nil when no `multiclass_nms` writes `output` or its scores have no static class count.
    /// - Throws: `DataError` from `VOCMeanAP` (not for a well-formed program).
    public static func voc(program: Program, output: String, mapType: VOCMeanAP.MapType = .elevenPoint) throws -> DetectionMetric? {
        guard let (nms, classes) = nmsOp(program: program, output: output) else { return nil }
        return DetectionMetric(.voc(try VOCMeanAP(classNum: classes, mapType: mapType)), output: output, counts: nms.output("NmsRoisNum"))
    }

    /// COCO box AP over `output` when `program`'s `multiclass_nms` op writes it (nil otherwise).
    public static func coco(program: Program, output: String) -> DetectionMetric? {
        guard let (nms, _) = nmsOp(program: program, output: output) else { return nil }
        return DetectionMetric(.coco(COCOAveragePrecision()), output: output, counts: nms.output("NmsRoisNum"))
    }

    /// The `multiclass_nms` writing `output` and its static class count (also what makes a
    /// program a detector for `Detector`).
    static func nmsOp(program: Program, output: String) -> (OpDesc, Int)? {
        guard let nms = program.ops.last(where: { $0.type == "multiclass_nms" && $0.output("Out") == output }),
              let scores = nms.input("Scores"), let shape = program.variable(scores)?.shape, shape.count == 3, shape[1] > 0 else {
            return nil
        }
        return (nms, shape[1])
    }
}
