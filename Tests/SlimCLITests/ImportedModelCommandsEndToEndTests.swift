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
        try slim.write("model.yml", SlimRunner.tinyModel)
        let built = LeNet5(numClasses: 10).build(inputShape: [1, 28, 28], seed: 3)
        let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
        try ModelFile.save(program: inference, params: built.params, to: slim.path("original"))
        XCTAssertEqual(try slim.run(["export", "--model_path", "original", "--output", "lenet.onnx"]).status, 0)
        let imported = try slim.run(["import", "--model", "lenet.onnx", "--save_path", "imported"])
        XCTAssertEqual(imported.status, 0, imported.err)

        for dir in ["original", "imported"] {
            let eval = try slim.run(["eval", "--model_path", dir, "-c", "model.yml", "--output_predictions", "\(dir).jsonl"])
            XCTAssertEqual(eval.status, 0, "\(dir): \(eval.err)")
        }
        XCTAssertEqual(slim.bytes("imported.jsonl"), slim.bytes("original.jsonl"), "same predictions")

        // The same network with its feed renamed, as models exported by other tools name it.
        var renamed = try ModelFile.load(from: slim.path("imported"))
        renamed.program = renamed.program.renamingForTest("image", to: "input.1")
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

extension Program {
    /// The program with var `old` renamed to `new` everywhere.
    func renamingForTest(_ old: String, to new: String) -> Program {
        var p = self
        guard var v = p.variable(old) else { return p }
        p.removeVars([old])
        v.name = new
        p.declare(v)
        let swap = { (names: [String]) in names.map { $0 == old ? new : $0 } }
        for i in p.ops.indices {
            p.ops[i].inputs = p.ops[i].inputs.mapValues(swap)
            p.ops[i].outputs = p.ops[i].outputs.mapValues(swap)
        }
        p.feeds = swap(p.feeds)
        p.fetches = swap(p.fetches)
        return p
    }
}
