import SlimGraph
import SlimQuant
import SlimTensor
import XCTest
@testable import SlimTrain

/// The predictor runs quantized programs as it runs float ones: a frozen QAT LeNet-5 (fake-quant
/// ops with fixed scales) and its INT8 form agree on every prediction.
final class PredictorQuantTests: XCTestCase {
    func testFrozenAndInt8ModelsGiveTheSamePredictions() throws {
        SlimQuant.registerOps()
        let model = try tinyClassifier()
        var program = model.program
        let scope = Scope(model.params)
        try QuantizationTransformPass(weightQuantizeType: .absMax, activationQuantizeType: .absMax)
            .apply(to: &program, scope: scope)
        var params = scope.tensors
        try QuantizationFreezePass(weightQuantizeType: .absMax).apply(to: &program, params: &params)
        var int8 = program, int8Params = params
        try ConvertToInt8Pass().apply(to: &int8, params: &int8Params)
        int8 = ConvertToInt8Pass.floatEmulationProgram(int8)

        let images = (0..<4).map { patternImage(seed: 40 * $0) }
        let frozen = try Predictor(program: program, params: params, transforms: [ToTensor()]).predict(images, topK: 3)
        let integer = try Predictor(program: int8, params: int8Params, transforms: [ToTensor()]).predict(images, topK: 3)
        XCTAssertEqual(frozen.count, 4)
        XCTAssertEqual(frozen, integer)
    }
}
