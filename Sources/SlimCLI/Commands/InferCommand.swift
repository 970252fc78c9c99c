import ArgumentParser
import Foundation
import SlimGraph
import SlimTrain

/// `slim infer`: top-k classes of image files, `predictions.json` and annotated PNG copies; for a
/// detector, the detections drawn on copies of the images and `predictions.json`.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Classify images (or detect objects in them) with a model and write predictions and annotated images.",
        discussion: """
        Decodes PNG and JPEG files (recognised by content, not extension), converts them to the \
        model's channels, resizes them to the image_shape of the YAML's TestReader (else EvalReader), \
        applies that reader's transforms and runs the model in batches. Prints \
        `file: label (probability), ...` per image and writes OUT/predictions.json and an annotated \
        copy OUT/<name>.png of each image. Files that are not readable images are skipped with a \
        warning; the exit code is 65 when no image could be read.

        Class names come from the YAML's class_names, else --label_list, else the data set, else \
        the class ids. The model directory is --model_path, else the YAML's `weights`.

        Example:
          slim infer --model_path output/model/best -c model.yml \\
            --infer_dir examples/infer_images --top_k 3

        A detector (a model ending in multiclass_nms, e.g. architecture: YOLOv3) is run as \
        PaddleDetection's tools/infer.py: each image is resized to the reader's image_shape and \
        its original size fed as im_size, so boxes come back in its own pixels. A copy of each \
        image with the detections of score >= --draw_threshold drawn (box, class name and score, \
        a colour per class) is written under the image's file name to --output_dir (default \
        output; PNG for .png names, else JPEG), with predictions.json listing every detection \
        {image, label, name, score, bbox: [xmin, ymin, xmax, ymax]}. A file of the output folder \
        that slim infer did not write is never replaced.
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("infer_img"), help: "One image file to classify.")
    var inferImg: String?

    @Option(name: .customLong("infer_dir"), help: "A folder whose image files are classified (hidden files and subfolders are ignored).")
    var inferDir: String?

    @Option(name: .customLong("output_dir"),
            help: "Where predictions.json and the annotated images are written (default: output/infer, for a detector output).")
    var outputDir: String?

    @Option(name: .customLong("top_k"), help: "Classes reported per image (capped at the model's classes; default 5). Classifiers only.")
    var topK: Int?

    @Option(name: .customLong("draw_threshold"), help: "Lowest score of a drawn detection, in [0, 1] (default 0.5). Detectors only.")
    var drawThreshold: Double?

    @Option(name: .customLong("label_list"), help: "Class names, one per line (used when the YAML has no class_names).")
    var labelList: String?

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (inferImg == nil) != (inferDir == nil) else {
            throw ValidationError("give exactly one of --infer_img FILE and --infer_dir DIR")
        }
        if let topK, topK < 1 { throw ValidationError("--top_k must be at least 1, got \(topK)") }
        if let drawThreshold, !(0...1).contains(drawThreshold) {
            throw ValidationError("--draw_threshold must be in [0, 1], got \(drawThreshold)")
        }
        if let outputDir { try checkOutputDir(outputDir) }
    }

    /// Refuses an output folder that is the folder of the input images.
    func checkOutputDir(_ outputDir: String) throws {
        let inputFolder = inferDir ?? URL(fileURLWithPath: inferImg ?? ".").deletingLastPathComponent().path
        if Self.samePath(inputFolder, outputDir) {
            throw ValidationError("--output_dir must not be the folder of the input images (annotated copies would overwrite them)")
        }
    }

    func run() throws {
        log.apply()
        let config = try model.load()
        let modelPath = try modelDir.path(or: config)
        if let inferImg { try requireReadableFile(inferImg) }
        let count = try reportingErrors { () -> Int in
            defer { printSignedInputNote() }
            let setup = try InferenceConfig(config, datasetDir: model.d)
            let loaded = try modelDir.load(modelPath)
            let executable = try Predictor.executable(program: loaded.program, params: loaded.params)
            if executable.engine == .int8 { printFlushed("engine: int8 (integer kernels)\n") }
            if Detector.isDetector(executable.program) {
                return try detect(program: executable.program, params: executable.params, setup: setup)
            }
            if drawThreshold != nil { try usageError("--draw_threshold applies to detectors; \(modelPath) is a classifier") }
            let outputDir = outputDir ?? "output/infer"
            var predictor = try Predictor(program: executable.program, params: executable.params,
                                          transforms: setup.transforms, imageShape: setup.imageShape)
            predictor.classNames = try setup.classNames(labelList: labelList, numClasses: predictor.numClasses,
                                                        note: { printError("note: \($0)") }).names
            let files = try inferImg.map { [$0] } ?? InferenceInputs.files(inDirectory: inferDir ?? ".")
            let run = InferenceRun(predictor: predictor, batchSize: setup.batchSize, topK: topK ?? 5, outputDir: outputDir)
            let results = try run.run(files: files,
                                      onSkip: { printError("warning: skipping \($0.file): \($0.reason)") },
                                      onPrediction: { printFlushed($0.summary + "\n") })
            if !results.isEmpty { printFlushed("wrote \(run.predictionsPath) and \(results.count) annotated PNGs\n") }
            return results.count
        }
        guard count > 0 else {
            printError("error: no image could be read from \(inferImg ?? inferDir ?? "")")
            throw ExitCode(65)
        }
    }

    /// Whether two folder paths name the same folder (standardised, symlinks resolved).
    static func samePath(_ a: String, _ b: String) -> Bool {
        func normal(_ p: String) -> String {
            URL(fileURLWithPath: p.isEmpty ? "." : p).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return normal(a) == normal(b)
    }
}
