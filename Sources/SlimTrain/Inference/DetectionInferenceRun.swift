import Foundation

/// Detects objects in image files in batches and writes the results to an output folder, as
/// PaddleDetection's `tools/infer.py`: a copy of each image under its own file name with the
/// detections of at least the draw threshold drawn (`DetectionAnnotator`; PNG when the name ends
/// in `.png`, else JPEG of quality 95), and `predictions.json`, every detection of every image
/// (`DetectionPrediction`, whatever its score) in input order.
///
/// Files are recognised as PNG or JPEG by their content; one that cannot be read or decoded is
/// reported through `onSkip` and left out. Existing files of the output folder that slim did not
/// write are never replaced (`DetectionOutputFolder`); every file is written atomically.
public struct DetectionInferenceRun {
    public var detector: Detector
    public var batchSize: Int
    public var outputDir: String
    public var annotator: DetectionAnnotator
    /// Class names (nil: ids).
    public var classNames: [String]?

    /// The detections of one image and where its drawing went.
    public struct Result: Sendable {
        public var file: String
        public var output: String
        public var predictions: [DetectionPrediction]
    }

    public init(detector: Detector, batchSize: Int, outputDir: String, annotator: DetectionAnnotator, classNames: [String]?) {
        precondition(batchSize > 0, "batch size must be positive")
        self.detector = detector
        self.batchSize = batchSize
        self.outputDir = outputDir
        self.annotator = annotator
        self.classNames = classNames
    }

    public var predictionsPath: String { DetectionOutputFolder.join(outputDir, "predictions.json") }

    /// Runs `files`; `predictions.json` is written at the end when at least one image was read.
    /// - Throws: `DataError.writeFailed` before anything is run when two inputs share a file
    ///   name or an output would replace a file slim did not write; `GraphError` when the model fails.
    public func run(files: [String], onSkip: (InferenceRun.Skipped) -> Void = { _ in },
                    onResult: (Result) -> Void = { _ in }) throws -> [Result] {
        let names = files.map { ($0 as NSString).lastPathComponent }
        if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw DataError.writeFailed(path: DetectionOutputFolder.join(outputDir, duplicate),
                                        reason: "two input images are named \(duplicate); their drawings would overwrite each other")
        }
        var folder = try DetectionOutputFolder(path: outputDir)
        try folder.claim(names + ["predictions.json"])
        var results: [Result] = []
        for start in stride(from: 0, to: files.count, by: batchSize) {
            var batch: [(file: String, name: String, image: DecodedImage)] = []
            for i in start..<min(start + batchSize, files.count) {
                do {
                    batch.append((files[i], names[i], try ImageCodec.decode(path: files[i])))
                } catch {
                    onSkip(InferenceRun.Skipped(file: files[i], reason: InferenceRun.reason(error, file: files[i])))
                }
            }
            for (item, detections) in zip(batch, try detector.detect(batch.map(\.image))) {
                let output = folder.file(item.name)
                try write(annotator.annotate(item.image, detections: detections, names: classNames), to: output)
                let predictions = detections.map {
                    DetectionPrediction(image: item.file, detection: $0, name: DetectionPrediction.name(of: $0.label, in: classNames))
                }
                let result = Result(file: item.file, output: output, predictions: predictions)
                onResult(result)
                results.append(result)
            }
        }
        if !results.isEmpty { try writePredictions(results.flatMap(\.predictions)) }
        return results
    }

    /// The line printed per image: `file: name 0.93 [x0, y0, x1, y1], ... -> output` (the drawn detections).
    public func summary(_ result: Result) -> String {
        let drawn = result.predictions.filter { $0.score >= annotator.threshold }
        let boxes = drawn.map { p in
            "\(p.name) \(String(format: "%.2f", p.score)) [" + p.bbox.map { String(format: "%.1f", $0) }.joined(separator: ", ") + "]"
        }
        let listed = boxes.isEmpty ? "no detection >= \(String(format: "%.2f", annotator.threshold))" : boxes.joined(separator: ", ")
        return "\(result.file): \(listed) -> \(result.output)"
    }

    func write(_ image: DecodedImage, to path: String) throws {
        if (path as NSString).pathExtension.lowercased() == "png" {
            try ImageCodec.encodePNG(image, to: path)
        } else {
            try ImageCodec.encodeJPEG(pixels: image.pixels, width: image.width, height: image.height, channels: image.channels,
                                      quality: 95, to: path)
        }
    }

    func writePredictions(_ predictions: [DetectionPrediction]) throws {
        let data: Data
        do { data = try DetectionPrediction.json(predictions) } catch {
            throw DataError.writeFailed(path: predictionsPath, reason: "\(error)")
        }
        try ImageCodec.atomicWrite([UInt8](data), to: predictionsPath)
    }
}
