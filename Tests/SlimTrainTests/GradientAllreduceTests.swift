import SlimGraph
import SlimQuant
import SlimTensor
import XCTest
@testable import SlimTrain

/// Which state a data-parallel step averages (batch norm's running statistics) and which it
/// maximises (the quantization observers), never the trained parameters.
final class GradientAllreduceTests: XCTestCase {
    func testBatchNormStatisticsAreAveragedAndObserverStateMaximised() throws {
        let built = MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [1, 32, 32], seed: 1)
        var program = built.program
        let scope = Scope(built.params)
        try QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)).apply(to: &program, scope: scope)
        let trained = Set(program.trainables.map(\.name))
        let (averaged, maximised) = GradientAllreduce.stateVars(program, scope: scope, excluding: trained)

        let norms = program.ops.filter { $0.type == "batch_norm" }
        XCTAssertFalse(norms.isEmpty)
        XCTAssertEqual(Set(averaged), Set(norms.flatMap { ($0.outputs["MeanOut"] ?? []) + ($0.outputs["VarianceOut"] ?? []) }))
        let observers = program.ops.filter { $0.type == "fake_quantize_moving_average_abs_max" }
        XCTAssertFalse(observers.isEmpty)
        XCTAssertEqual(Set(maximised), Set(observers.flatMap { op in ["OutScale", "OutAccum", "OutState"].flatMap { op.outputs[$0] ?? [] } }))
        XCTAssertTrue(trained.isDisjoint(with: averaged + maximised), "parameters travel as gradients only")
    }
}
