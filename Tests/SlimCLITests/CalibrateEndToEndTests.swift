import Foundation
import XCTest

/// train -> calibrate (and the PTQ strategy through compress) on a slice of Fashion-MNIST, through the built binary.
final class CalibrateEndToEndTests: XCTestCase {
    private func top1(_ slim: SlimRunner, _ json: String) throws -> Double {
        let object = try JSONSerialization.jsonObject(with: slim.bytes(json) ?? Data()) as? [String: Any]
        return try XCTUnwrap(object?["top1"] as? Double, json)
    }

    private func trained() throws -> SlimRunner {
        let slim = try SlimRunner()
        try slim.write("model.yml", SlimRunner.tinyModel)
        let train = try slim.run(["train", "-c", "model.yml"])
        XCTAssertEqual(train.status, 0, train.err)
        return slim
    }

    func testCalibrateWritesEveryVariantAndPrintsTop1() throws {
        let slim = try trained()
        defer { slim.cleanUp() }
        let r = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "out/model/best", "--algo", "KL", "--batch_nums", "3",
                              "--save_path", "ptq", "--output_eval", "ptq.json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("with KL on 3 batches of 32"), r.out)
        XCTAssertTrue(r.out.contains("pool2d_1.tmp_0: s = "), r.out)
        XCTAssertTrue(r.out.contains("ptq/float (PTQ KL): loss"), r.out)
        for file in ["ptq/eval_model/__model__", "ptq/eval_model/__params__", "ptq/float/model", "ptq/float/weights",
                     "ptq/int8/model", "ptq/int8/weights"] {
            XCTAssertNotNil(slim.bytes(file), file)
        }
        let floatSize = slim.bytes("ptq/float/weights")?.count ?? 0, int8Size = slim.bytes("ptq/int8/weights")?.count ?? 1
        XCTAssertGreaterThan(Double(floatSize) / Double(int8Size), 3.5, "int8 weights should be about 4x smaller")

        var results: [String: Double] = ["ptq": try top1(slim, "ptq.json")]
        for (name, dir) in [("fp32", "out/model/best"), ("eval", "ptq/eval_model"), ("int8", "ptq/int8")] {
            let e = try slim.run(["eval", "--model_path", dir, "-c", "model.yml", "--output_eval", "\(name).json"])
            XCTAssertEqual(e.status, 0, "\(name): \(e.err)")
            results[name] = try top1(slim, "\(name).json")
        }
        let ptq = try XCTUnwrap(results["ptq"]), int8 = try XCTUnwrap(results["int8"])
        let eval = try XCTUnwrap(results["eval"]), fp32 = try XCTUnwrap(results["fp32"])
        XCTAssertEqual(int8, ptq, accuracy: 0.011, "int8 agrees with float")
        XCTAssertEqual(eval, ptq, accuracy: 0.011, "the frozen model computes what the calibrated QAT model computes")
        XCTAssertEqual(ptq, fp32, accuracy: 0.05, "PTQ stays close to FP32: \(results)")

        let freeze = try slim.run(["freeze", "--model_path", "ptq/eval_model", "--weight_quant_type", "channel_wise_abs_max", "--save_path", "refrozen"])
        XCTAssertEqual(freeze.status, 0, freeze.err)
        XCTAssertEqual(slim.bytes("refrozen/int8/weights"), slim.bytes("ptq/int8/weights"), "the eval model freezes to the same int8 model")
    }

    func testStrategyCalibratesWithoutTraining() throws {
        let slim = try trained()
        defer { slim.cleanUp() }
        try slim.write("ptq.yaml", """
        version: 1.0
        strategies:
          ptq_strategy:
            class: PostTrainingQuantizationStrategy
            algo: abs_max
            batch_nums: 2
            float_model_save_path: ./ptq/float
            int8_model_save_path: ./ptq/int8
        compressor:
          epoch: 1
          checkpoint_path: ./checkpoints/
          strategies: [ptq_strategy]

        """)
        let r = try slim.run(["compress", "-s", "ptq.yaml", "-c", "model.yml", "-o", "pretrain_weights=out/model/best"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("ptq_strategy: calibrated 5 activations on 2 batches (abs_max"), r.out)
        XCTAssertFalse(r.out.contains("batch 6/6"), "no training batches:\n\(r.out)")
        for file in ["ptq/float/model", "ptq/int8/weights", "checkpoints/0/eval_model/__model__", "checkpoints/0/strategies.json"] {
            XCTAssertNotNil(slim.bytes(file), file)
        }
        let checkpoint = try slim.run(["eval", "--model_path", "checkpoints/0/eval_model", "-c", "model.yml", "--output_eval", "ckpt.json"])
        let frozen = try slim.run(["eval", "--model_path", "ptq/float", "-c", "model.yml", "--output_eval", "float.json"])
        XCTAssertEqual([checkpoint.status, frozen.status], [0, 0], checkpoint.err + frozen.err)
        XCTAssertEqual(try top1(slim, "ckpt.json"), try top1(slim, "float.json"), accuracy: 0.011, "the checkpoint holds the calibrated model")
        let again = try slim.run(["compress", "-s", "ptq.yaml", "-c", "model.yml", "-o", "pretrain_weights=out/model/best"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("resuming from"), again.out)
        XCTAssertFalse(again.out.contains("calibrated"), "a finished run does not calibrate again:\n\(again.out)")

        // Asymmetric activations: zero points in the log, and epoch 1 (the strategy restored from
        // epoch 0's record) still computes what the frozen INT8 model computes.
        let yaml = String(decoding: try XCTUnwrap(slim.bytes("ptq.yaml")), as: UTF8.self)
        try slim.write("ptq_asym.yaml", yaml
            .replacingOccurrences(of: "algo: abs_max", with: "algo: abs_max\n    activation_mode: asymmetric")
            .replacingOccurrences(of: "./ptq/", with: "./ptq_asym/").replacingOccurrences(of: "./checkpoints/", with: "./checkpoints_asym/")
            .replacingOccurrences(of: "epoch: 1", with: "epoch: 2"))
        let asym = try slim.run(["compress", "-s", "ptq_asym.yaml", "-c", "model.yml", "-o", "pretrain_weights=out/model/best"])
        XCTAssertEqual(asym.status, 0, asym.err)
        XCTAssertTrue(asym.out.contains(", zero point "), asym.out)
        let last = try slim.run(["eval", "--model_path", "checkpoints_asym/1/eval_model", "-c", "model.yml", "--output_eval", "asym_ckpt.json"])
        let asymInt8 = try slim.run(["eval", "--model_path", "ptq_asym/int8", "-c", "model.yml", "--output_eval", "asym_int8.json"])
        XCTAssertEqual([last.status, asymInt8.status], [0, 0], last.err + asymInt8.err)
        XCTAssertEqual(try top1(slim, "asym_ckpt.json"), try top1(slim, "asym_int8.json"), accuracy: 0.011,
                       "epoch 1 keeps the zero points")
        let model = String(decoding: try XCTUnwrap(slim.bytes("checkpoints_asym/1/eval_model/__model__")), as: UTF8.self)
        XCTAssertTrue(model.contains("zero_point"), "the epoch-1 eval model keeps the zero points")
    }

    func testBadInputsAreClearErrors() throws {
        let slim = try trained()
        defer { slim.cleanUp() }
        let algo = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "out/model/best", "--algo", "kl"])
        XCTAssertEqual(algo.status, 64, algo.err)
        XCTAssertTrue(algo.err.contains("  - abs_max\n  - avg\n  - hist\n  - KL\n  - mse\n  - mix\n"), algo.err)
        let calibrated = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "out/model/best", "--algo", "avg",
                                       "--batch_nums", "1", "--save_path", "ptq"])
        XCTAssertEqual(calibrated.status, 0, calibrated.err)
        let twice = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "ptq/eval_model", "--save_path", "ptq2"])
        XCTAssertEqual(twice.status, 65, twice.err)
        XCTAssertTrue(twice.err.contains("already quantized"), twice.err)
        let asymmetricKL = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "out/model/best", "--algo", "KL",
                                         "--activation_mode", "asymmetric"])
        XCTAssertEqual(asymmetricKL.status, 64, asymmetricKL.err)
        XCTAssertTrue(asymmetricKL.err.contains("asymmetric activations are calibrated with algo abs_max"), asymmetricKL.err)
        let missing = try slim.run(["calibrate", "-c", "model.yml", "--model_path", "nowhere"])
        XCTAssertEqual(missing.status, 74, missing.err)
    }
}
