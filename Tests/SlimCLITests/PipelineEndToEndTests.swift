import Foundation
import XCTest

/// train -> compress -> freeze -> eval on a slice of Fashion-MNIST, through the built binary.
final class PipelineEndToEndTests: XCTestCase {
    func testTrainCompressFreezeEvalWritesEveryVariant() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2))

        let train = try slim.run(["train", "-c", "model.yml"])
        XCTAssertEqual(train.status, 0, train.err)
        XCTAssertTrue(train.out.contains("epoch 2/2 eval: loss"), train.out)
        for dir in ["out/model/best", "out/model/last"] {
            XCTAssertNotNil(slim.bytes("\(dir)/__model__"), dir)
            XCTAssertNotNil(slim.bytes("\(dir)/__params__"), dir)
        }

        // A fine-tuning learning rate (as PaddleSlim's compress runs use): QAT starts from the FP32
        // weights and stays near them, so its top-1 can be held to the FP32 one below.
        let compress = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml",
                                     "-o", "pretrain_weights=out/model/best", "LearningRate.base_lr=0.0005"])
        XCTAssertEqual(compress.status, 0, compress.err)
        assertEveryVariableLoaded(compress.out + compress.err)
        for file in ["checkpoints/0/eval_model/__model__", "checkpoints/1/model/__params__", "checkpoints/1/context.json",
                     "checkpoints/1/strategies.json", "quant/float/model", "quant/float/weights", "quant/int8/model", "quant/int8/weights"] {
            XCTAssertNotNil(slim.bytes(file), file)
        }
        let floatSize = slim.bytes("quant/float/weights")?.count ?? 0, int8Size = slim.bytes("quant/int8/weights")?.count ?? 1
        XCTAssertGreaterThan(Double(floatSize) / Double(int8Size), 3.5, "int8 weights should be about 4x smaller")

        let freeze = try slim.run(["freeze", "--model_path", "checkpoints/1/eval_model", "--weight_quant_type", "abs_max", "--save_path", "frozen"])
        XCTAssertEqual(freeze.status, 0, freeze.err)
        XCTAssertEqual(slim.bytes("frozen/float/weights"), slim.bytes("quant/float/weights"), "freezing epoch 1 by hand equals the strategy's freeze")

        var top1: [String: Double] = [:]
        for (name, dir) in [("fp32", "out/model/best"), ("eval", "checkpoints/1/eval_model"), ("float", "quant/float"), ("int8", "quant/int8")] {
            let r = try slim.run(["eval", "--model_path", dir, "-c", "model.yml", "--output_eval", "\(name).json"])
            XCTAssertEqual(r.status, 0, "\(name): \(r.err)")
            let json = try JSONSerialization.jsonObject(with: slim.bytes("\(name).json") ?? Data()) as? [String: Any]
            top1[name] = json?["top1"] as? Double
        }
        XCTAssertEqual(top1.count, 4)
        let fp32 = try XCTUnwrap(top1["fp32"]), eval = try XCTUnwrap(top1["eval"])
        let float = try XCTUnwrap(top1["float"]), int8 = try XCTUnwrap(top1["int8"])
        XCTAssertEqual(float, int8, accuracy: 0.011, "float and int8 agree")
        XCTAssertEqual(eval, float, accuracy: 0.011, "the frozen model computes what the QAT model computes")
        // Chance is 0.1. On 200 test images this run gives FP32 0.465 and QAT/int8 0.53 (the two QAT
        // epochs still learn); QAT from random weights instead gives 0.185. A tolerance of 0.12 is
        // about twice the gap seen and well inside the gap of a broken pipeline.
        XCTAssertGreaterThan(fp32, 0.3, "the FP32 model learned (chance is 0.1): \(top1)")
        for (name, compressed) in [("QAT", eval), ("int8", int8)] {
            XCTAssertEqual(compressed, fp32, accuracy: 0.12, "compressed (\(name)) top-1 within 0.12 of the FP32 top-1: \(top1)")
        }
    }

    /// The compress log reports loading the pretrain weights and every persistable variable of them:
    /// a "loaded X of N" line has X == N, and no line warns or lists variables that were not loaded.
    private func assertEveryVariableLoaded(_ log: String, file: StaticString = #filePath, line: UInt = #line) {
        let lines = log.split(separator: "\n").map(String.init)
        let loaded = lines.filter { $0.contains("loaded") && !$0.contains("not loaded") }
        XCTAssertFalse(loaded.isEmpty, "no 'loaded' line:\n\(log)", file: file, line: line)
        for l in loaded {
            guard let match = l.firstMatch(of: #/loaded (\d+) of (\d+)/#) else { continue }
            XCTAssertEqual(match.1, match.2, "not every variable loaded: \(l)", file: file, line: line)
        }
        for l in lines where l.contains("not loaded") || l.lowercased().contains("warning") || l.contains("missing") {
            XCTFail("compress reported a problem loading the weights: \(l)", file: file, line: line)
        }
    }

    func testBadModelFileIsAClearError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try FileManager.default.createDirectory(atPath: slim.path("bad"), withIntermediateDirectories: true)
        try slim.write("bad/__model__", "{\"format\": \"something-else\"}")
        try slim.write("bad/__params__", "not params")
        let r = try slim.run(["eval", "--model_path", "bad", "-c", "model.yml"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("bad/__model__"), r.err)
    }
}
