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

    func testInt8ResidualMarksOnlyTheInt8Model() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let built = try ResNet(numClasses: 5, depth: 8, variant: .cifar).build(inputShape: [3, 16, 16], seed: 4)
        var eval = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        var params = built.params
        SlimQuant.registerOps()
        try QuantizationTransformPass(QuantizationScheme()).apply(to: &eval, params: &params)
        try ModelFile.save(program: eval, params: params.filter { eval.variable($0.key)?.persistable == true }, to: slim.path("qat"))
        for (out, extra) in [("plain", [String]()), ("marked", ["--int8_residual"])] {
            let r = try slim.run(["freeze", "--model_path", "qat", "--save_path", out] + extra)
            XCTAssertEqual(r.status, 0, r.err)
        }
        func marks(_ dir: String) throws -> [Bool] {
            let program = try ModelFile.load(from: slim.path(dir), modelName: nil, paramsName: nil).program
            return program.ops.filter { op in
                op.type == "elementwise_add" && op.inputNames.allSatisfy { program.variable($0)?.persistable == false }
            }.map { $0.attrs[ConvertToInt8Pass.integerResidualAttr] == .bool(true) }
        }
        XCTAssertEqual(try marks("marked/int8"), [true, true, true], "ResNet-8 has 3 residual adds")
        XCTAssertEqual(try marks("plain/int8"), [false, false, false])
        XCTAssertEqual(try marks("marked/float"), [false, false, false], "float/ is the same either way")
        XCTAssertEqual(slim.bytes("marked/float/weights"), slim.bytes("plain/float/weights"))
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
