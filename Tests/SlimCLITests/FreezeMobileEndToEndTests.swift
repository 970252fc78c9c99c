import Foundation
import SlimGraph
import SlimQuant
import XCTest

/// `slim freeze` writes float/, int8/ and mobile/model.onnx; a model ONNX cannot express (16-bit
/// activations) still freezes to float/ and int8/, with a warning naming mobile/ and the reason.
final class FreezeMobileEndToEndTests: XCTestCase {
    private func saveQAT(_ slim: SlimRunner, activationBits: Int, to dir: String) throws {
        let built = LeNet5(numClasses: 10).build(inputShape: [1, 28, 28], seed: 3)
        var eval = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        var params = built.params
        SlimQuant.registerOps()
        try QuantizationTransformPass(QuantizationScheme(activationBits: activationBits)).apply(to: &eval, params: &params)
        try ModelFile.save(program: eval, params: params.filter { eval.variable($0.key)?.persistable == true }, to: slim.path(dir))
    }

    func testMobileModelBesideFloatAndInt8OrAWarning() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try saveQAT(slim, activationBits: 8, to: "qat8")
        let r8 = try slim.run(["freeze", "--model_path", "qat8", "--save_path", "out8"])
        XCTAssertEqual(r8.status, 0, r8.err)
        XCTAssertTrue(r8.out.contains("froze qat8 -> out8/float, out8/int8, out8/mobile/model.onnx"), r8.out)
        XCTAssertNotNil(slim.bytes("out8/mobile/model.onnx"))

        try saveQAT(slim, activationBits: 16, to: "qat16")
        let r16 = try slim.run(["freeze", "--model_path", "qat16", "--activation_bits", "16", "--save_path", "out16"])
        XCTAssertEqual(r16.status, 0, r16.err)
        XCTAssertTrue(r16.err.contains("warning: out16/mobile not written:") && r16.err.contains("bit_length 16"), r16.err)
        XCTAssertTrue(r16.out.contains("froze qat16 -> out16/float, out16/int8\n"), r16.out)
        XCTAssertNotNil(slim.bytes("out16/int8/weights"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: slim.path("out16/mobile")))
    }
}
