import SlimTensor

/// `multiclass_nms` (Paddle 1.6) on `BBoxes` [N, M, 4] (xmin, ymin, xmax, ymax) and `Scores`
/// [N, C, M]. Per image and per class other than `background_label` (-1: none): boxes scoring
/// above `score_threshold`, best `nms_top_k` (-1: all) by score, then greedy NMS keeping a box
/// unless its IoU with an already kept one exceeds an adaptive threshold (starts at
/// `nms_threshold`, multiplied by `nms_eta` after each keep while above 0.5); IoU counts `+1`
/// pixel per side when `normalized` is false. Then at most `keep_top_k` (-1: all) per image by
/// score across classes.
///
/// `Out` [total, 6] rows (label, score, xmin, ymin, xmax, ymax): images in order, within one
/// classes ascending, within a class by descending score (ties by box index), as Paddle writes
/// them. Slim has no LoD: the per-image row counts go to the optional output `NmsRoisNum` (s32
/// [N], the name Paddle's later `multiclass_nms3` gives them); image `i`'s rows start at the sum
/// of the counts before it. With no detection at all `Out` is [0, 6] (Paddle 1.6 writes a single
/// -1 there instead). No gradient.
public enum MulticlassNMSOp: Operator {
    public static let type = "multiclass_nms"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let boxes = try ShapeInference.shape(inputs, "BBoxes", of: op), scores = try ShapeInference.shape(inputs, "Scores", of: op)
        _ = try params(op)
        guard boxes.count == 3, boxes[2] == 4, scores.count == 3, ShapeInference.compatible(boxes[0], scores[0]),
              ShapeInference.compatible(boxes[1], scores[2]) else {
            throw GraphError("op 'multiclass_nms': BBoxes \(boxes) and Scores \(scores) do not match",
                             hints: ["BBoxes is [N, M, 4], Scores [N, C, M]"])
        }
        return ["Out": [[-1, 6]], "NmsRoisNum": [[ShapeInference.merge(boxes[0], scores[0])]]]
    }

    public static func forward(_ context: OpContext) throws {
        let boxes = try context.floatInput("BBoxes"), scores = try context.floatInput("Scores")
        _ = try inferShapes(context.op, inputs: ["BBoxes": [boxes.shape], "Scores": [scores.shape]])
        let nms = try params(context.op)
        let (n, c, m) = (scores.shape[0], scores.shape[1], scores.shape[2])
        var rows: [Float] = [], counts: [Int] = []
        boxes.withUnsafeFloats { b in
            scores.withUnsafeFloats { s in
                for i in 0..<n {
                    let imageBoxes = UnsafeBufferPointer(rebasing: b[(i * m * 4)..<((i + 1) * m * 4)])
                    let imageScores = UnsafeBufferPointer(rebasing: s[(i * c * m)..<((i + 1) * c * m)])
                    let picks = nms.select(boxes: imageBoxes, scores: imageScores, m: m, classes: c)
                    for p in picks {
                        rows += [Float(p.label), imageScores[p.label * m + p.index]] + imageBoxes[(4 * p.index)..<(4 * p.index + 4)]
                    }
                    counts.append(picks.count)
                }
            }
        }
        context.setOutput("Out", 0, Tensor(shape: [rows.count / 6, 6], floats: rows))
        context.setOutput("NmsRoisNum", 0, Tensor(shape: [n], dtype: .s32, integers: counts))
    }

    /// The NMS settings from the attrs (`score_threshold`, `nms_top_k` and `keep_top_k` required).
    static func params(_ op: OpDesc) throws -> NonMaxSuppression {
        for name in ["score_threshold", "nms_top_k", "keep_top_k"] where op.attrs[name] == nil {
            throw GraphError("op 'multiclass_nms': attr \(name) is required")
        }
        let eta = Float(op.float("nms_eta", default: 1)), threshold = Float(op.float("nms_threshold", default: 0.3))
        guard eta > 0, threshold.isFinite else {
            throw GraphError("op 'multiclass_nms': nms_eta \(eta) must be positive and nms_threshold \(threshold) finite")
        }
        return NonMaxSuppression(scoreThreshold: Float(op.float("score_threshold", default: 0)), nmsTopK: op.int("nms_top_k", default: -1),
                                 keepTopK: op.int("keep_top_k", default: -1), nmsThreshold: threshold, eta: eta,
                                 normalized: op.bool("normalized", default: true), backgroundLabel: op.int("background_label", default: 0))
    }
}
