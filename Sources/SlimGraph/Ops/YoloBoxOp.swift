import Foundation
import SlimTensor

/// `yolo_box` (Paddle 1.6): decodes one YOLOv3 head into boxes in image pixels and class scores.
///
/// `X` [N, A*(5+C), H, W] holds, per anchor `a` of `anchors` (A = anchors.count / 2 pairs w, h)
/// and cell (row k, column l), channels `tx, ty, tw, th, conf, cls_0..cls_{C-1}`; `ImgSize` s32
/// [N, 2] holds each image's (height, width). With `G = H` (Paddle divides by the grid height on
/// both axes) and `S = downsample_ratio * H`:
///
///     cx = (l + σ(tx)) * img_w / G          cy = (k + σ(ty)) * img_h / G
///     w  = exp(tw) * anchor_w * img_w / S   h  = exp(th) * anchor_h * img_h / S
///
/// `Boxes` [N, A*H*W, 4] = (cx - w/2, cy - h/2, cx + w/2, cy + h/2), clipped to
/// [0, img_w - 1] x [0, img_h - 1] (attr `clip_bbox`, default true); `Scores` [N, A*H*W, C]
/// = σ(conf) * σ(cls_c). Rows run anchor-major (`a*H*W + k*W + l`); a row with
/// σ(conf) < `conf_thresh` is all zeros in both outputs. No gradient.
public enum YoloBoxOp: Operator {
    public static let type = "yolo_box"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), size = try ShapeInference.shape(inputs, "ImgSize", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        let (anchors, classes) = try attrs(op)
        let a = anchors.count / 2
        guard ShapeInference.compatible(x[1], a * (5 + classes)) else {
            throw GraphError("op 'yolo_box': X has \(x[1]) channels, expected \(a) anchors x (5 + \(classes) classes)")
        }
        guard size.count == 2, size[1] == 2, ShapeInference.compatible(size[0], x[0]) else {
            throw GraphError("op 'yolo_box': ImgSize \(size) does not match X \(x)", hints: ["ImgSize is s32 [N, 2] = (height, width)"])
        }
        let rows = x[2] < 0 || x[3] < 0 ? -1 : a * x[2] * x[3]
        return ["Boxes": [[x[0], rows, 4]], "Scores": [[x[0], rows, classes]]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let x = try context.floatInput("X"), size = try context.input("ImgSize")
        _ = try inferShapes(op, inputs: ["X": [x.shape], "ImgSize": [size.shape]])
        guard size.dtype == .s32 else { throw GraphError("op 'yolo_box': ImgSize must be s32, not \(size.dtype)") }
        let (anchors, classes) = try attrs(op)
        let grid = Grid(n: x.shape[0], anchors: anchors.count / 2, classes: classes, h: x.shape[2], w: x.shape[3])
        let decoder = Decoder(anchors: anchors.map(Float.init), inputSize: Float(op.int("downsample_ratio", default: 32) * grid.h),
                              gridSize: Float(grid.h), confThresh: Float(op.float("conf_thresh", default: 0.01)),
                              clip: op.bool("clip_bbox", default: true))
        var boxes = Tensor(shape: [grid.n, grid.rows, 4]), scores = Tensor(shape: [grid.n, grid.rows, classes])
        let imageSizes = size.withUnsafeElements(as: Int32.self) { $0.map { Float($0) } }
        x.withUnsafeFloats { input in
            boxes.withUnsafeMutableFloats { b in
                scores.withUnsafeMutableFloats { s in
                    for i in 0..<grid.n {
                        decoder.decode(image: i, grid, input, imgH: imageSizes[2 * i], imgW: imageSizes[2 * i + 1], boxes: b, scores: s)
                    }
                }
            }
        }
        context.setOutput("Boxes", 0, boxes)
        context.setOutput("Scores", 0, scores)
    }

    /// The anchors (pairs) and class count, checked.
    private static func attrs(_ op: OpDesc) throws -> (anchors: [Int], classes: Int) {
        let anchors = op.ints("anchors", default: []), classes = op.int("class_num", default: 0)
        guard !anchors.isEmpty, anchors.count % 2 == 0, anchors.allSatisfy({ $0 > 0 }) else {
            throw GraphError("op 'yolo_box': anchors \(anchors) must be positive (width, height) pairs")
        }
        guard classes > 0 else { throw GraphError("op 'yolo_box': class_num \(classes) must be positive") }
        guard op.int("downsample_ratio", default: 32) > 0 else { throw GraphError("op 'yolo_box': downsample_ratio must be positive") }
        return (anchors, classes)
    }

    /// The dims of one head.
    struct Grid {
        var n, anchors, classes, h, w: Int
        var cells: Int { h * w }
        var rows: Int { anchors * cells }
        /// Offset of channel `entry` of anchor `a` of image `i` at cell 0.
        func offset(_ i: Int, _ a: Int, _ entry: Int) -> Int { ((i * anchors + a) * (5 + classes) + entry) * cells }
    }

    /// The per-cell decoding of one head.
    struct Decoder {
        var anchors: [Float]
        var inputSize, gridSize, confThresh: Float
        var clip: Bool

        func decode(image i: Int, _ g: Grid, _ x: UnsafeBufferPointer<Float>, imgH: Float, imgW: Float,
                    boxes: UnsafeMutableBufferPointer<Float>, scores: UnsafeMutableBufferPointer<Float>) {
            for a in 0..<g.anchors {
                for cell in 0..<g.cells {
                    let conf = sigmoid(x[g.offset(i, a, 4) + cell])
                    if conf < confThresh { continue }
                    let (k, l) = cell.quotientAndRemainder(dividingBy: g.w)
                    let cx = (Float(l) + sigmoid(x[g.offset(i, a, 0) + cell])) * imgW / gridSize
                    let cy = (Float(k) + sigmoid(x[g.offset(i, a, 1) + cell])) * imgH / gridSize
                    let w = exp(x[g.offset(i, a, 2) + cell]) * anchors[2 * a] * imgW / inputSize
                    let h = exp(x[g.offset(i, a, 3) + cell]) * anchors[2 * a + 1] * imgH / inputSize
                    let row = i * g.rows + a * g.cells + cell
                    boxes[row * 4] = cx - w / 2
                    boxes[row * 4 + 1] = cy - h / 2
                    boxes[row * 4 + 2] = cx + w / 2
                    boxes[row * 4 + 3] = cy + h / 2
                    if clip {
                        boxes[row * 4] = max(boxes[row * 4], 0)
                        boxes[row * 4 + 1] = max(boxes[row * 4 + 1], 0)
                        boxes[row * 4 + 2] = min(boxes[row * 4 + 2], imgW - 1)
                        boxes[row * 4 + 3] = min(boxes[row * 4 + 3], imgH - 1)
                    }
                    for c in 0..<g.classes { scores[row * g.classes + c] = conf * sigmoid(x[g.offset(i, a, 5 + c) + cell]) }
                }
            }
        }

        func sigmoid(_ v: Float) -> Float { 1 / (1 + exp(-v)) }
    }
}
