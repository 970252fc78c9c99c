import ArgumentParser
import Foundation
import SlimGraph
import SlimTensor
import SlimTrain

extension InferCommand {
    /// Runs a detector on the input images (see the command's discussion).
    /// - Returns: the number of images that could be read.
    func detect(program: Program, params: [String: Tensor], setup: InferenceConfig) throws -> Int {
        if topK != nil { try usageError("--top_k applies to classifiers; the model is a detector (use --draw_threshold)") }
        let outputDir = outputDir ?? "output"
        do { try checkOutputDir(outputDir) } catch let error as ValidationError { try usageError(error.message) }
        let detector = try Detector(program: program, params: params, transforms: setup.transforms, imageShape: setup.imageShape)
        let names = try setup.classNames(labelList: labelList, numClasses: detector.numClasses,
                                         note: { printError("note: \($0)") }).names
        let files = try inferImg.map { [$0] } ?? InferenceInputs.files(inDirectory: inferDir ?? ".")
        let run = DetectionInferenceRun(detector: detector, batchSize: setup.batchSize, outputDir: outputDir,
                                        annotator: DetectionAnnotator(threshold: drawThreshold ?? 0.5), classNames: names)
        let results = try run.run(files: files,
                                  onSkip: { printError("warning: skipping \($0.file): \($0.reason)") },
                                  onResult: { printFlushed(run.summary($0) + "\n") })
        if !results.isEmpty { printFlushed("wrote \(run.predictionsPath) and \(results.count) image\(results.count == 1 ? "" : "s") with detections drawn\n") }
        return results.count
    }

    /// Prints `message` as an error and exits 64 (a bad combination of flags for this model).
    func usageError(_ message: String) throws -> Never {
        printError("error: \(message)")
        throw ExitCode(64)
    }
}
