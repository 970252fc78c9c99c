import SlimTensor
import XCTest
@testable import SlimTrain

/// PaddleDetection 0.1's operators against hand-worked cases: boxes move with the crop,
/// expand and flip; NormalizeBox, NormalizeImage, Permute, Resize's sizes and clipping.
final class SampleTransformTests: XCTestCase {
    private var rng = SeededGenerator(seed: 11)

    /// A `channels x h x w` image whose value at `(c, y, x)` is `100 c + 10 y + x`.
    private func ramp(channels: Int = 1, height: Int, width: Int, boxes: [BoundingBox] = [], labels: [Int]? = nil) -> AnnotatedImage {
        var image = Image(channels: channels, height: height, width: width)
        for c in 0..<channels { for y in 0..<height { for x in 0..<width { image[c, y, x] = Float(100 * c + 10 * y + x) } } }
        return AnnotatedImage(image: image, annotations: BoxAnnotations(boxes: boxes, labels: labels ?? boxes.indices.map { $0 + 1 }))
    }

    private func box(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> BoundingBox { BoundingBox(xmin: a, ymin: b, xmax: c, ymax: d) }

    /// The canvas holds the image at the offset the box moved by, 8-bit fill values elsewhere.
    func testRandomExpandMovesBoxesWithThePastedImage() throws {
        let expand = try RandomExpand(ratio: 3, prob: 0, fillValue: [123.675, 116.28, 103.53])
        var expanded = 0
        for _ in 0..<20 {
            var s = ramp(channels: 3, height: 4, width: 5, boxes: [box(1, 1, 3, 2)])
            expand.apply(&s, rng: &rng)
            guard s.image.height > 4 else {
                XCTAssertEqual(s, ramp(channels: 3, height: 4, width: 5, boxes: [box(1, 1, 3, 2)]), "int(4 r) = 4: not expanded")
                continue
            }
            expanded += 1
            let b = try XCTUnwrap(s.annotations).boxes[0]
            let dx = Int(b.xmin) - 1, dy = Int(b.ymin) - 1
            XCTAssertEqual([b.xmax - b.xmin, b.ymax - b.ymin], [2, 1])
            XCTAssertLessThan(s.image.height, 12)
            for c in 0..<3 { for y in 0..<4 { for x in 0..<5 { XCTAssertEqual(s.image[c, y + dy, x + dx], Float(100 * c + 10 * y + x)) } } }
            let plane = s.image.height * s.image.width
            for (c, fill) in [Float(123), 116, 103].enumerated() {
                let filled = s.image.data[(c * plane)..<((c + 1) * plane)].filter { $0 == fill }.count
                XCTAssertEqual(filled, plane - 20, "every other pixel is the 8-bit fill value")
            }
        }
        XCTAssertGreaterThan(expanded, 10)
        var kept = ramp(height: 4, width: 5, boxes: [box(1, 1, 3, 2)])
        try RandomExpand(prob: 1).apply(&kept, rng: &rng)
        XCTAssertEqual(kept, ramp(height: 4, width: 5, boxes: [box(1, 1, 3, 2)]), "u < prob skips the expansion")
    }

    /// A 5x5 window of a 10x10 image: the whole-image box is clipped to it, the box whose centre
    /// falls outside is dropped with its label; the pixels are the window's.
    func testRandomCropClipsKeepsCentredBoxesAndDropsTheOthers() throws {
        let crop = try RandomBoxCrop(aspectRatio: [1, 1], thresholds: [0], scaling: [0.5, 0.5], allowNoCrop: false)
        for _ in 0..<10 {
            var s = ramp(height: 10, width: 10, boxes: [box(0, 0, 10, 10), box(9, 9, 10, 10)], labels: [4, 7])
            crop.apply(&s, rng: &rng)
            XCTAssertEqual(s.image.shape, [1, 5, 5])
            let a = try XCTUnwrap(s.annotations)
            XCTAssertEqual(a.boxes, [box(0, 0, 5, 5)])
            XCTAssertEqual(a.labels, [4])
            let y0 = Int(s.image[0, 0, 0]) / 10, x0 = Int(s.image[0, 0, 0]) % 10
            XCTAssertTrue((1...4).contains(x0) && (1...4).contains(y0), "the centre (5, 5) lies in [x0, x0 + 5): \(x0), \(y0)")
            XCTAssertEqual(s.image[0, 4, 3], Float(10 * (y0 + 4) + x0 + 3))
        }
        var never = ramp(height: 10, width: 10, boxes: [box(0, 0, 10, 10)])
        try RandomBoxCrop(aspectRatio: [1, 1], thresholds: [0.9], scaling: [0.5, 0.5], numAttempts: 5, allowNoCrop: false).apply(&never, rng: &rng)
        XCTAssertEqual(never, ramp(height: 10, width: 10, boxes: [box(0, 0, 10, 10)]), "IoU 0.25 never reaches 0.9: kept")
    }

    /// Pixel boxes flip as `W - x - 1`, normalized ones as `1 - x`; pixels mirror.
    func testRandomFlipImageMovesPixelAndNormalizedBoxes() throws {
        var s = ramp(height: 2, width: 10, boxes: [box(1, 2, 4, 5)])
        try RandomFlipImage(prob: 1).apply(&s, rng: &rng)
        XCTAssertEqual(s.annotations?.boxes, [box(5, 2, 8, 5)])
        XCTAssertEqual(s.image[0, 1, 0], 19)
        var n = ramp(height: 2, width: 10, boxes: [box(0.1, 0.2, 0.4, 0.5)])
        try RandomFlipImage(prob: 1, isNormalized: true).apply(&n, rng: &rng)
        let b = try XCTUnwrap(n.annotations?.boxes.first)
        for (a, e) in zip([b.xmin, b.ymin, b.xmax, b.ymax], [0.6, 0.2, 0.9, 0.5]) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        var kept = ramp(height: 2, width: 10, boxes: [box(1, 2, 4, 5)])
        try RandomFlipImage(prob: 0).apply(&kept, rng: &rng)
        XCTAssertEqual(kept.annotations?.boxes, [box(1, 2, 4, 5)])
    }

    func testNormalizeBoxDividesByTheImageSize() throws {
        var s = ramp(height: 10, width: 20, boxes: [box(2, 1, 10, 5)])
        NormalizeBox().apply(&s, rng: &rng)
        XCTAssertEqual(s.annotations?.boxes, [box(0.1, 0.1, 0.5, 0.5)])
    }

    /// `target_dim` squares the image (boxes scaled per axis, clipped to side - 1); `max_size`
    /// keeps the aspect ratio and caps the longer side; code 0 samples the nearest pixel.
    func testResizeTargetDimAndMaxSize() throws {
        var s = ramp(height: 2, width: 8, boxes: [box(2, 0, 8, 2)])
        let square = try ResizeImage(targetDims: [4])
        XCTAssertEqual(try square.outputShape([1, 2, 8]), [1, 4, 4])
        square.apply(&s, rng: &rng)
        XCTAssertEqual(s.image.shape, [1, 4, 4])
        XCTAssertEqual(s.annotations?.boxes, [box(1, 0, 3, 3)])
        var capped = ramp(height: 10, width: 20, boxes: [box(0, 0, 20, 10)])
        let resize = try ResizeImage(targetDims: [5], maxSize: 8, interp: .code(0))
        XCTAssertEqual(try resize.outputShape([1, 10, 20]), [1, 4, 8])
        resize.apply(&capped, rng: &rng)
        XCTAssertEqual(capped.image.shape, [1, 4, 8])
        XCTAssertEqual(capped.annotations?.boxes, [box(0, 0, 7, 3)])
        XCTAssertEqual(capped.image[0, 1, 3], 10 * 2 + 7, "nearest: row floor(1 * 2.5) = 2, column floor(3 * 2.5) = 7")
        XCTAssertEqual(try ResizeImage(targetDims: [5], maxSize: 100).outputShape([1, 10, 20]), [1, 5, 10])
        XCTAssertThrowsError(try ResizeImage(targetDims: [4, 8]).outputShape([1, 2, 8]))
        XCTAssertThrowsError(try Interpolation(code: 7))
        XCTAssertEqual(try Interpolation(code: -1), .random)
    }

    func testNormalizeImagePermuteAndDecodeImage() throws {
        var s = AnnotatedImage(image: Image(data: [255, 0, 51, 102, 0, 255], channels: 3, height: 1, width: 2))
        try NormalizeImage(mean: [0.5, 0.2, 0], std: [0.25, 0.2, 2], isScale: true).apply(&s, rng: &rng)
        for (a, e) in zip(s.image.data, [2, -2, 0, 1, 0, 0.5] as [Float]) { XCTAssertEqual(a, e, accuracy: 1e-6) }
        var p = AnnotatedImage(image: Image(data: [1, 2, 3, 4, 5, 6], channels: 3, height: 1, width: 2))
        try Permute(toBGR: true).apply(&p, rng: &rng)
        XCTAssertEqual(p.image.data, [5, 6, 3, 4, 1, 2])
        try Permute(toBGR: false).apply(&p, rng: &rng)
        XCTAssertEqual(p.image.data, [5, 6, 3, 4, 1, 2])
        XCTAssertThrowsError(try Permute(channelFirst: false))
        DecodeImage(toRGB: false).apply(&p, rng: &rng)
        XCTAssertEqual(p.image.data, [1, 2, 3, 4, 5, 6], "to_rgb: false gives OpenCV's BGR")
    }

    /// Mixup: the union canvas, `floor(f a + (1 - f) b)`, boxes concatenated, scores f / 1 - f.
    func testMixupImageBlendsImagesAndConcatenatesObjects() throws {
        var s = AnnotatedImage(image: Image(data: [Float](repeating: 100, count: 4), channels: 1, height: 2, width: 2),
                               annotations: BoxAnnotations(boxes: [box(0, 0, 1, 1)], labels: [3]))
        s.mixup = [AnnotatedImage(image: Image(data: [Float](repeating: 200, count: 3), channels: 1, height: 3, width: 1),
                                  annotations: BoxAnnotations(boxes: [box(0, 1, 1, 3)], labels: [5]))]
        try MixupImage().apply(&s, rng: &rng)
        let a = try XCTUnwrap(s.annotations)
        XCTAssertEqual(a.boxes, [box(0, 0, 1, 1), box(0, 1, 1, 3)])
        XCTAssertEqual(a.labels, [3, 5])
        let f = a.scores[0]
        XCTAssertTrue(f > 0 && f < 1)
        XCTAssertEqual(a.scores[1], 1 - f, accuracy: 1e-6)
        XCTAssertEqual(s.image.shape, [1, 3, 2])
        XCTAssertEqual(s.image.data, [(100 * f + 200 * (1 - f)).rounded(.down), (100 * f).rounded(.down),
                                      (100 * f + 200 * (1 - f)).rounded(.down), (100 * f).rounded(.down), (200 * (1 - f)).rounded(.down), 0])
        XCTAssertTrue(s.mixup.isEmpty)
        var alone = AnnotatedImage(image: Image(channels: 1, height: 1, width: 1))
        try MixupImage().apply(&alone, rng: &rng)
        XCTAssertEqual(alone, AnnotatedImage(image: Image(channels: 1, height: 1, width: 1)), "no mixup sample: unchanged")
    }

    /// Beta(1.5, 1.5) draws have NumPy's distribution moments: mean 1/2, variance 1/16.
    func testBetaDrawsHaveTheReferenceMoments() {
        var g = SeededGenerator(seed: 3)
        let draws = (0..<20000).map { _ in g.beta(1.5, 1.5) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.01)
        XCTAssertEqual(variance, 0.0625, accuracy: 0.004)
        let skewed = (0..<20000).map { _ in g.beta(0.5, 2) }.reduce(0, +) / 20000
        XCTAssertEqual(skewed, 0.2, accuracy: 0.01, "mean a / (a + b) with a < 1")
    }

    /// Each distortion alone against the reference's formulas; the hue matrix for
    /// `delta = 0.5` (a quarter turn in YIQ) computed by hand; gray stays gray under any hue.
    func testColorDistortFormulas() throws {
        let off: [Double] = [0, 0, 1]
        func run(hue: [Double] = off, saturation: [Double] = off, contrast: [Double] = off, brightness: [Double] = off) throws -> [Float] {
            var s = AnnotatedImage(image: Image(data: [100, 50, 0], channels: 3, height: 1, width: 1))
            try ColorDistort(hue: hue, saturation: saturation, contrast: contrast, brightness: brightness).apply(&s, rng: &rng)
            return s.image.data
        }
        XCTAssertEqual(try run(), [100, 50, 0], "probability 1 skips every distortion")
        XCTAssertEqual(try run(brightness: [10, 10, 0]), [110, 60, 10])
        XCTAssertEqual(try run(contrast: [2, 2, 0]), [200, 100, 0])
        for (a, e) in zip(try run(saturation: [0.5, 0.5, 0]), [79.625, 54.625, 29.625] as [Float]) { XCTAssertEqual(a, e, accuracy: 1e-4) }
        let m = ColorDistort.hueMatrix(0.5)
        for (a, e) in zip(m.prefix(3), [0.4674, 0.916834, -0.382657] as [Float]) { XCTAssertEqual(a, e, accuracy: 1e-5) }
        var gray = AnnotatedImage(image: Image(data: [80, 80, 80], channels: 3, height: 1, width: 1))
        try ColorDistort(hue: [-18, 18, 0], saturation: off, contrast: off, brightness: off).apply(&gray, rng: &rng)
        for v in gray.image.data { XCTAssertEqual(v, 80, accuracy: 0.5) }
        XCTAssertThrowsError(try ColorDistort().outputShape([1, 4, 4]))
    }
}
