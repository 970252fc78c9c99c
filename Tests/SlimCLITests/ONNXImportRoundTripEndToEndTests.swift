import Foundation
import SlimGraph
import SlimTensor
import XCTest

/// `slim export` then `slim import` of the zoo classifiers (LeNet, MobileNetV1 x0.25, ResNet20;
/// FP32, batch norm statistics perturbed) gives a model whose outputs equal the original's bit for bit on
/// a random batch, keeps the feed and fetch names, and is
/// accepted by `slim export` and `slim bench --model DIR` again; `slim export` to a directory
/// that does not exist is an I/O error (74) naming the path. No Python needed.
final class ONNXImportRoundTripEndToEndTests: XCTestCase {
    func testZooModelsRoundTripThroughONNX() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let zoo: [(String, any ZooModel, [Int])] = [("lenet", LeNet5(numClasses: 10), [1, 28, 28]),
                                                   ("mbv1", MobileNetV1(numClasses: 10, scale: 0.25), [3, 32, 32]),
                                                   ("resnet20", try ResNet(numClasses: 10, depth: 20), [3, 32, 32])]
        for (name, model, shape) in zoo {
            let built = model.build(inputShape: shape, seed: 5)
            let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
            try ModelFile.save(program: inference, params: Self.perturbedBatchNorm(inference, built.params), to: slim.path("\(name)/original"))
            let export = try slim.run(["export", "--model_path", "\(name)/original", "--output", "\(name).onnx"])
            XCTAssertEqual(export.status, 0, "\(name): \(export.err)")
            let imported = try slim.run(["import", "--model", "\(name).onnx", "--save_path", "\(name)/imported"])
            XCTAssertEqual(imported.status, 0, "\(name): \(imported.err)")
            XCTAssertTrue(imported.out.contains("feeds: image [-1, \(shape.map(String.init).joined(separator: ", "))]"), imported.out)

            var rng = SeededGenerator(seed: 9)
            let input = Tensor(shape: [3] + shape, floats: (0..<3 * shape.reduce(1, *)).map { _ in rng.nextUnitFloat() })
            let original = try ONNXImportHarness.run(slim.path("\(name)/original"), input: input)
            let back = try ONNXImportHarness.run(slim.path("\(name)/imported"), input: input)
            XCTAssertEqual(back.program.feeds, original.program.feeds, name)
            XCTAssertEqual(back.program.fetches, original.program.fetches, name)
            for (a, b) in zip(original.outputs, back.outputs) {
                XCTAssertEqual(a.shape, b.shape, name)
                XCTAssertEqual(a.floats, b.floats, "\(name): relative error \(ONNXImportHarness.relativeError(b.floats, a.floats))")
            }
            let again = try slim.run(["export", "--model_path", "\(name)/imported", "--output", "\(name).again.onnx"])
            XCTAssertEqual(again.status, 0, "\(name): \(again.err)")
        }
        let unwritable = try slim.run(["export", "--model_path", "lenet/imported", "--output", "no/such/dir/lenet.onnx"])
        XCTAssertEqual(unwritable.status, 74, unwritable.err)
        XCTAssertTrue(unwritable.err.contains("no/such/dir/lenet.onnx"), unwritable.err)
        let bench = try slim.run(["bench", "--model", "mbv1/imported", "--mode", "infer", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1"])
        XCTAssertEqual(bench.status, 0, bench.err)
    }

    /// INT8: each zoo classifier calibrated by `slim calibrate`, its int8 model exported as QDQ
    /// ONNX and imported again keeps its scales: the imported model runs on the INT8 engine with the
    /// same predictions and probabilities as the original int8 model.
    func testInt8ZooModelsRoundTripThroughQDQ() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let root = SlimRunner.repoRoot.appendingPathComponent("examples").path
        let zoo: [(String, any ZooModel, String)] = [
            ("lenet", LeNet5(numClasses: 10), "\(root)/lenet_fashion_mnist/model.yml"),
            ("mbv1", MobileNetV1(numClasses: 10, scale: 0.25), "\(root)/mobilenetv1_fashion_mnist/model.yml"),
            ("resnet20", try ResNet(numClasses: 10, depth: 20), "\(root)/resnet20_fashion_mnist/model.yml")]
        let small = ["-o", "TrainReader.dataset.num_samples=64", "EvalReader.dataset.num_samples=64", "TrainReader.batch_size=32",
                     "EvalReader.batch_size=32"]
        for (name, model, yaml) in zoo {
            let shape = name == "lenet" ? [1, 28, 28] : [1, 32, 32]
            let built = model.build(inputShape: shape, seed: 5)
            let inference = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
            try ModelFile.save(program: inference, params: Self.perturbedBatchNorm(inference, built.params), to: slim.path("\(name)/float"))
            let calibrate = try slim.run(["calibrate", "--model_path", "\(name)/float", "-c", yaml, "--algo", "abs_max",
                                          "--batch_nums", "2", "--save_path", "\(name)/ptq"] + small)
            XCTAssertEqual(calibrate.status, 0, "\(name): \(calibrate.err)")
            let export = try slim.run(["export", "--model_path", "\(name)/ptq/int8", "--output", "\(name).int8.onnx"])
            XCTAssertEqual(export.status, 0, "\(name): \(export.err)")
            let imported = try slim.run(["import", "--model", "\(name).int8.onnx", "--save_path", "\(name)/imported"])
            XCTAssertEqual(imported.status, 0, "\(name): \(imported.err)")
            XCTAssertTrue(imported.out.contains("QDQ: "), imported.out)
            XCTAssertFalse(imported.out.contains("asymmetric"), imported.out)
            for dir in ["ptq/int8", "imported"] {
                let eval = try slim.run(["eval", "--model_path", "\(name)/\(dir)", "-c", yaml, "--output_predictions", "\(name)/\(dir).jsonl"] + small)
                XCTAssertEqual(eval.status, 0, "\(name) \(dir): \(eval.err)")
                XCTAssertTrue(eval.out.contains("engine: int8"), "\(name) \(dir): \(eval.out)")
            }
            XCTAssertEqual(slim.bytes("\(name)/imported.jsonl"), slim.bytes("\(name)/ptq/int8.jsonl"), name)
            let compare = try slim.run(["eval", "--model_path", "\(name)/imported", "-c", yaml, "--compare_with", "\(name)/ptq/int8"] + small)
            XCTAssertTrue(compare.out.contains("max |prob diff| 0.0000"), "\(name): \(compare.out)")
        }
    }

    /// Moves each batch norm's running statistics away from 0 and 1.
    static func perturbedBatchNorm(_ program: Program, _ params: [String: Tensor]) -> [String: Tensor] {
        var out = params
        for op in program.ops where op.type == "batch_norm" {
            for (slot, base) in [("Mean", Float(0)), ("Variance", Float(1))] {
                guard let name = op.input(slot), let t = params[name] else { continue }
                out[name] = Tensor(shape: t.shape, floats: (0..<t.count).map { base + 0.1 * Float(($0 * 7) % 5) })
            }
        }
        return out
    }
}
