import SlimGraph
import SlimTensor

/// Runs a detector program (a model whose first fetch is written by `multiclass_nms`, e.g.
/// `architecture: YOLOv3`) on decoded images of any size and returns each image's detections in
/// its own pixels.
///
/// Each image is prepared as `Predictor` prepares one (channels converted, bilinearly resized to
/// `[H, W]` of `imageShape`, the transforms applied); the batch goes to the `image` feed and each
/// image's original `(height, width)` to `im_size` (`[N, 2]` s32), which the program's
/// `yolo_box` uses to scale boxes back, so the NMS rows come out in original-image pixels.
public struct Detector {
    public let executor: Executor
    public let scope: Scope
    /// The image feed and the original-size feed.
    public let image: String, imageSize: String
    /// The NMS rows `[M, 6]` and the per-image row counts (nil when the program has none).
    public let output: String, counts: String?
    public let transforms: [any Transform]
    /// `[C, H, W]` of one image after the transforms.
    public let imageShape: [Int]
    /// The class count of the NMS scores.
    public let numClasses: Int

    /// - Throws: `GraphError` when the program is not a detector with `image` and `im_size`
    ///   feeds or its image feed disagrees with `imageShape`; `DataError.invalidConfiguration`
    ///   when the transforms do not keep `imageShape`.
    public init(program: Program, params: [String: Tensor], transforms: [any Transform], imageShape: [Int]?,
                registry: OpRegistry = .shared) throws {
        guard let fetch = program.fetches.first, let nms = Self.nms(of: program) else {
            throw GraphError("the model is not a detector", hints: ["its first fetch is not written by a multiclass_nms op"])
        }
        let feed = try Predictor.imageFeed(of: program)
        guard let sizeFeed = program.feeds.first(where: { $0 != feed.name }) else {
            throw GraphError("the detector has no im_size feed", hints: ["its feeds are \(program.feeds); expected image and im_size"])
        }
        let shape = try Predictor.checkedShape(imageShape, feed: feed)
        let produced = try transforms.outputShape(shape)
        guard produced == shape else {
            throw DataError.invalidConfiguration("the transforms turn images of \(shape) into \(produced); the model reads \(shape)")
        }
        executor = try Executor(program: program, registry: registry)
        scope = Scope(params)
        (image, imageSize, output, counts) = (feed.name, sizeFeed, fetch, nms.counts)
        self.transforms = transforms
        self.imageShape = shape
        numClasses = nms.classes
    }

    /// The `multiclass_nms` writing the program's first fetch: its class count and counts var.
    static func nms(of program: Program) -> (classes: Int, counts: String?)? {
        guard let fetch = program.fetches.first, let (op, classes) = DetectionMetric.nmsOp(program: program, output: fetch) else { return nil }
        return (classes, op.output("NmsRoisNum"))
    }

    /// Whether `program` is a detector `Detector` can run.
    public static func isDetector(_ program: Program) -> Bool { nms(of: program) != nil }

    /// Each image's detections, NMS order, in the image's own pixels.
    /// - Throws: `GraphError` when the model fails or its output is not NMS rows.
    public func detect(_ images: [DecodedImage]) throws -> [[DetectionBox]] {
        guard !images.isEmpty else { return [] }
        var data: [Float] = []
        data.reserveCapacity(images.count * imageShape.reduce(1, *))
        for decoded in images { data += Predictor.prepare(decoded, imageShape: imageShape, transforms: transforms).data }
        var sizes = Tensor(shape: [images.count, 2], dtype: .s32)
        sizes.withUnsafeMutableElements(as: Int32.self) { p in
            for (i, d) in images.enumerated() { (p[2 * i], p[2 * i + 1]) = (Int32(d.height), Int32(d.width)) }
        }
        let feeds = [image: Tensor(shape: [images.count] + imageShape, floats: data), imageSize: sizes]
        let fetched = try executor.run(feeds: feeds, scope: scope, mode: .eval, fetches: [output] + (counts.map { [$0] } ?? []))
        return try DetectionMetric.detections(fetched, output: output, counts: counts, images: images.count)
            ?? Array(repeating: [], count: images.count)
    }
}
