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

        let compress = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml", "-o", "pretrain_weights=out/model/best"])
        XCTAssertEqual(compress.status, 0, compress.err)
        XCTAssertTrue(compress.out.contains("loaded"), compress.out)
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
        XCTAssertEqual(top1["float"]!, top1["int8"]!, accuracy: 0.011, "float and int8 agree")
        XCTAssertEqual(top1["eval"]!, top1["float"]!, accuracy: 0.011, "the frozen model computes what the QAT model computes")
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
