import Foundation
import XCTest

/// `pretrain_weights` / `init_model` that match none or only some of the model's vars.
final class PretrainedWeightsEndToEndTests: XCTestCase {
    var slim: SlimRunner!

    override func setUpWithError() throws {
        slim = try SlimRunner()
        addTeardownBlock { [slim] in slim?.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yml", SlimRunner.tinySlim(epochs: 1))
    }

    func testWeightsOfAnotherModelAreAnErrorInTrainAndCompress() throws {
        try slim.saveZooModel("MobileNetV1", numClasses: 10, to: "mbv1")
        let train = try slim.run(["train", "-c", "model.yml", "-o", "epoch=1", "max_iters=1", "pretrain_weights=mbv1"])
        XCTAssertEqual(train.status, 65, train.err)
        for fragment in ["mbv1", "nothing matched", "none of the model's 10 persistable vars", "conv2d_0.w_0"] {
            XCTAssertTrue(train.err.contains(fragment), "'\(fragment)' missing in: \(train.err)")
        }
        XCTAssertNil(slim.bytes("out/model/last/__params__"), "no training from random weights")

        let compress = try slim.run(["compress", "-s", "slim.yml", "-c", "model.yml", "-o", "max_iters=1", "pretrain_weights=mbv1"])
        XCTAssertEqual(compress.status, 65, compress.err)
        XCTAssertTrue(compress.err.contains("mbv1") && compress.err.contains("nothing matched"), compress.err)
        XCTAssertNil(slim.bytes("checkpoints/0/context.json"), "no checkpoint of random weights")
    }

    func testPartialLoadWarnsWithTheVarsNotLoaded() throws {
        try slim.saveZooModel("LeNet5", numClasses: 12, to: "twelve")
        let r = try slim.run(["train", "-c", "model.yml", "-o", "epoch=1", "max_iters=1", "pretrain_weights=twelve"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("loaded 8 of 10 persistable vars from twelve\n"), r.out)
        XCTAssertTrue(r.out.contains("warning: 2 persistable vars keep their random initial values: fc_2.w_0 (f32[84, 10] in the model, f32[84, 12] in twelve), fc_2.b_0"), r.out)
    }

    func testMissingPretrainWeightsIsAnIOError() throws {
        let r = try slim.run(["train", "-c", "model.yml", "-o", "epoch=1", "max_iters=1", "pretrain_weights=nowhere"])
        XCTAssertEqual(r.status, 74, r.err)
        XCTAssertTrue(r.err.contains("nowhere"), r.err)
    }
}
