import Foundation

/// Classifies image files in batches and writes the results to an output folder:
/// `<stem>.png`, an annotated copy of each image (top-1 label and probability, see
/// `ImageAnnotator`), and `predictions.json`, the list of `ImagePrediction`s in input order.
///
/// Files are recognised as PNG or JPEG by their content; a file that cannot be read or decoded
/// is reported through `onSkip` and left out, the others are still processed. Every file is
/// written atomically (temporary file, then rename).
public struct InferenceRun {
    public var predictor: Predictor
    public var batchSize: Int
    public var topK: Int
    public var outputDir: String
    public var annotator: ImageAnnotator

    /// A file that was left out and why.
    public struct Skipped: Equatable, Sendable {
        public var file: String
        public var reason: String
    }

    /// - Parameter topK: classes kept per image, capped at the model's number of classes.
    public init(predictor: Predictor, batchSize: Int, topK: Int, outputDir: String, annotator: ImageAnnotator = ImageAnnotator()) {
        precondition(batchSize > 0 && topK > 0, "batch size and top-k must be positive")
        self.predictor = predictor
        self.batchSize = batchSize
        self.topK = min(topK, predictor.numClasses)
        self.outputDir = outputDir
        self.annotator = annotator
    }

    /// The path of `predictions.json`.
    public var predictionsPath: String { (outputDir as NSString).appendingPathComponent("predictions.json") }

    /// Classifies `files`, writing each annotated copy as soon as its batch is done and
    /// `predictions.json` at the end (only when at least one image was classified).
    /// - Returns: the predictions of the files that could be read, in input order.
    /// - Throws: `GraphError` when the model fails, `DataError.writeFailed` when an output
    ///   cannot be written.
    public func run(files: [String], onSkip: (Skipped) -> Void = { _ in },
                    onPrediction: (ImagePrediction) -> Void = { _ in }) throws -> [ImagePrediction] {
        try createOutputDir()
        let outputNames = InferenceInputs.annotatedNames(files)
        var results: [ImagePrediction] = []
        for start in stride(from: 0, to: files.count, by: batchSize) {
            var batch: [(file: String, output: String, image: DecodedImage)] = []
            for i in start..<min(start + batchSize, files.count) {
                do {
                    batch.append((files[i], outputNames[i], try ImageCodec.decode(path: files[i])))
                } catch {
                    onSkip(Skipped(file: files[i], reason: Self.reason(error, file: files[i])))
                }
            }
            let ranked = try predictor.predict(batch.map(\.image), topK: topK)
            for (item, predictions) in zip(batch, ranked) {
                try writeAnnotated(item.image, top: predictions[0], name: item.output)
                let result = ImagePrediction(file: item.file, predictions: predictions)
                onPrediction(result)
                results.append(result)
            }
        }
        if !results.isEmpty { try writePredictions(results) }
        return results
    }

    /// The text drawn on an annotated copy: `label 0.93`.
    public static func caption(_ top: Prediction) -> String {
        "\(top.label) \(String(format: "%.2f", Double(top.probability)))"
    }

    func writeAnnotated(_ image: DecodedImage, top: Prediction, name: String) throws {
        let annotated = annotator.annotate(image, text: Self.caption(top))
        try ImageCodec.encodePNG(annotated, to: (outputDir as NSString).appendingPathComponent(name))
    }

    func writePredictions(_ results: [ImagePrediction]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(results)
        } catch {
            throw DataError.writeFailed(path: predictionsPath, reason: "\(error)")
        }
        try ImageCodec.atomicWrite([UInt8](data) + [UInt8(ascii: "\n")], to: predictionsPath)
    }

    func createOutputDir() throws {
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        } catch {
            throw DataError.writeFailed(path: outputDir, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
    }

    /// The error's message without the leading `file: ` its description starts with.
    static func reason(_ error: any Error, file: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(file + ": ") ? String(text.dropFirst(file.count + 2)) : text
    }
}
