import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// An imported model is a model directory like any other: `slim eval` (same predictions as
/// the model it was exported from, and a model whose single feed is not called `image`),
/// `slim infer` and `slim calibrate` accept it.
final class ImportedModelCommandsEndToEndTests: XCTestCase {
    func testEvalInferAndCalibrateAcceptImportedModels() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.writeLeNetExport()
        let imported = try slim.run(["import", "--model", "lenet.onnx", "--save_path", "imported"])
        XCTAssertEqual(imported.status, 0, imported.err)

        for dir in ["original", "imported"] {
            let eval = try slim.run(["eval", "--model_path", dir, "-c", "model.yml", "--output_predictions", "\(dir).jsonl"])
            XCTAssertEqual(eval.status, 0, "\(dir): \(eval.err)")
        }
        XCTAssertEqual(slim.bytes("imported.jsonl"), slim.bytes("original.jsonl"), "same predictions")

        // The same network with its feed renamed, as models exported by other tools name it.
        var renamed = try ModelFile.load(from: slim.path("imported"))
        renamed.program = renamed.program.renaming("image", to: "input.1")
        try ModelFile.save(program: renamed.program, params: renamed.params, to: slim.path("renamed"))
        let eval = try slim.run(["eval", "--model_path", "renamed", "-c", "model.yml", "--output_predictions", "renamed.jsonl"])
        XCTAssertEqual(eval.status, 0, eval.err)
        XCTAssertEqual(slim.bytes("renamed.jsonl"), slim.bytes("original.jsonl"))

        try FileManager.default.createDirectory(atPath: slim.path("in"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SlimRunner.repoRoot.appendingPathComponent("examples/infer_images/test0_ankle_boot.png").path,
                                         toPath: slim.path("in/boot.png"))
        let infer = try slim.run(["infer", "--model_path", "renamed", "-c", "model.yml", "--infer_dir", "in", "--output_dir", "vis"])
        XCTAssertEqual(infer.status, 0, infer.err)
        let calibrate = try slim.run(["calibrate", "--model_path", "renamed", "-c", "model.yml", "--batch_nums", "1", "--save_path", "ptq"])
        XCTAssertEqual(calibrate.status, 0, calibrate.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: slim.path("ptq/int8")), calibrate.out)
    }
}

extension SlimRunner {
    /// `model.yml` (the tiny LeNet YAML), a LeNet model directory `original` and its ONNX export `lenet.onnx`.
    func writeLeNetExport() throws {
        try write("model.yml", SlimRunner.tinyModel)
        let built = LeNet5(numClasses: 10).build(inputShape: [1, 28, 28], seed: 3)
        let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        try ModelFile.save(program: inference, params: built.params, to: path("original"))
        XCTAssertEqual(try run(["export", "--model_path", "original", "--output", "lenet.onnx"]).status, 0)
    }
}

/// `architecture: Imported`: a model directory written by `slim import` is fine-tuned and
/// quantized by `slim compress` from its own weights (no pretrain_weights), its picture feed
/// named `input.1`; the int8 model it saves runs on the INT8 engine; a model whose output is not a
/// softmax is refused (exit 65) at the YAML's Imported section.
final class ImportedArchitectureEndToEndTests: XCTestCase {
    func testCompressFineTunesAndQuantizesAnImportedClassifier() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.writeLeNetExport()
        var renamed = try ModelFile.load(from: slim.path("original"))
        renamed.program = renamed.program.renaming("image", to: "input.1")
        try ModelFile.save(program: renamed.program, params: renamed.params, to: slim.path("renamed"))
        XCTAssertEqual(try slim.run(["export", "--model_path", "renamed", "--output", "renamed.onnx"]).status, 0)
        XCTAssertEqual(try slim.run(["import", "--model", "renamed.onnx", "--save_path", "imported"]).status, 0)
        let yaml = SlimRunner.tinyModel.replacingOccurrences(of: "architecture: LeNet5", with: "architecture: Imported\nImported: {model_dir: imported}")
        try slim.write("imported.yml", yaml)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2))
        let run = try slim.run(["compress", "-s", "slim.yaml", "-c", "imported.yml"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertFalse(run.out.contains("random initial weights"), run.out)
        XCTAssertTrue(run.out.contains("epoch 1 eval"), run.out)
        let eval = try slim.run(["eval", "--model_path", "quant/int8", "-c", "model.yml"])
        XCTAssertEqual(eval.status, 0, eval.err)
        XCTAssertTrue(eval.out.contains("engine: int8"), eval.out)

        var noSoftmax = try ModelFile.load(from: slim.path("imported"))
        noSoftmax.program.ops.removeLast()
        noSoftmax.program.fetches = [noSoftmax.program.ops.last?.outputNames.first ?? ""]
        try ModelFile.save(program: noSoftmax.program, params: noSoftmax.params, to: slim.path("logits"))
        try slim.write("logits.yml", yaml.replacingOccurrences(of: "model_dir: imported", with: "model_dir: logits"))
        let refused = try slim.run(["compress", "-s", "slim.yaml", "-c", "logits.yml"])
        XCTAssertEqual(refused.status, 65, refused.err)
        XCTAssertTrue(refused.err.contains("logits.yml:2:"), refused.err)
        XCTAssertTrue(refused.err.contains("softmax"), refused.err)
    }
}
