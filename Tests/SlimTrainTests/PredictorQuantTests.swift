import SlimGraph
import SlimQuant
import SlimTensor
import XCTest
@testable import SlimTrain

/// The predictor runs quantized programs as it runs float ones: a frozen QAT LeNet-5 (fake-quant
/// ops with fixed scales), its INT8 model lowered to the INT8 engine, and the float emulation of
/// that INT8 model agree.
final class PredictorQuantTests: XCTestCase {
    /// A frozen float and an INT8 LeNet-5 (abs_max weights and activations, untrained).
    static func quantizedModels() throws -> (frozen: (Program, [String: Tensor]), int8: (Program, [String: Tensor])) {
        SlimQuant.registerOps()
        let model = try tinyClassifier()
        var program = model.program
        let scope = Scope(model.params)
        try QuantizationTransformPass(QuantizationScheme(weightQuantizeType: .absMax, activationQuantizeType: .absMax)).apply(to: &program, scope: scope)
        var params = scope.tensors
        try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: .absMax)).apply(to: &program, params: &params)
        var int8 = program, int8Params = params
        try ConvertToInt8Pass().apply(to: &int8, params: &int8Params)
        return ((program, params), (int8, int8Params))
    }

    func testFrozenInt8EngineAndEmulationAgree() throws {
        let models = try Self.quantizedModels()
        let images = (0..<4).map { patternImage(seed: 40 * $0) }
        let frozen = try Predictor(program: models.frozen.0, params: models.frozen.1, transforms: [ToTensor()]).predict(images, topK: 3)
        XCTAssertEqual(try Predictor.executable(program: models.frozen.0, params: models.frozen.1).engine, .float)

        let lowered = try Predictor.executable(program: models.int8.0, params: models.int8.1)
        XCTAssertEqual(lowered.engine, .int8)
        XCTAssertTrue(lowered.program.ops.contains { $0.type.hasPrefix("int8_") }, "runs integer kernels")
        let integer = try Predictor(program: lowered.program, params: lowered.params, transforms: [ToTensor()]).predict(images, topK: 3)
        let emulated = try Predictor(program: ConvertToInt8Pass.floatEmulationProgram(models.int8.0), params: models.int8.1,
                                     transforms: [ToTensor()]).predict(images, topK: 3)
        XCTAssertEqual(emulated, frozen)
        XCTAssertEqual(integer.map { $0[0].classID }, frozen.map { $0[0].classID })
        for (a, b) in zip(integer.joined(), frozen.joined()) where a.classID == b.classID {
            XCTAssertEqual(a.probability, b.probability, accuracy: 1e-3)
        }
    }
}
