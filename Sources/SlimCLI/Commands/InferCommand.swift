import ArgumentParser
import Foundation
import SlimGraph
import SlimTrain

/// `slim infer`: top-k classes of image files, `predictions.json` and annotated PNG copies.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Classify images with a model and write predictions and annotated PNGs.",
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
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("infer_img"), help: "One image file to classify.")
    var inferImg: String?

    @Option(name: .customLong("infer_dir"), help: "A folder whose image files are classified (hidden files and subfolders are ignored).")
    var inferDir: String?

    @Option(name: .customLong("output_dir"), help: "Where predictions.json and the annotated PNGs are written.")
    var outputDir = "output/infer"

    @Option(name: .customLong("top_k"), help: "Classes reported per image (capped at the model's classes).")
    var topK = 5

    @Option(name: .customLong("label_list"), help: "Class names, one per line (used when the YAML has no class_names).")
    var labelList: String?

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (inferImg == nil) != (inferDir == nil) else {
            throw ValidationError("give exactly one of --infer_img FILE and --infer_dir DIR")
        }
        guard topK >= 1 else { throw ValidationError("--top_k must be at least 1, got \(topK)") }
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
            let setup = try InferenceConfig(config, datasetDir: model.d)
            let loaded = try modelDir.load(modelPath)
            let executable = try Predictor.executable(program: loaded.program, params: loaded.params)
            if executable.engine == .int8 { printFlushed("engine: int8 (integer kernels)\n") }
            var predictor = try Predictor(program: executable.program, params: executable.params,
                                          transforms: setup.transforms, imageShape: setup.imageShape)
            predictor.classNames = try setup.classNames(labelList: labelList, numClasses: predictor.numClasses,
                                                        note: { printError("note: \($0)") }).names
            let files = try inferImg.map { [$0] } ?? InferenceInputs.files(inDirectory: inferDir ?? ".")
            let run = InferenceRun(predictor: predictor, batchSize: setup.batchSize, topK: topK, outputDir: outputDir)
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
