import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// The passes on the zoo's models (batch norm, pooling, depthwise convs): every program verifies,
/// and after a few QAT steps frozen and INT8 predictions match QAT eval. (ResNet-20 passes too but
/// takes ~30 s in debug builds, so it is left out.)
final class ZooPassTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    private func check(_ model: any ZooModel, inputShape: [Int], weights: WeightQuantizeType,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let built = model.build(inputShape: inputShape, seed: 3)
        let pass = QuantizationTransformPass(QuantizationScheme(weightQuantizeType: weights, activationQuantizeType: .movingAverageAbsMax))
        var train = built.program
        var eval = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        let scope = Scope(built.params)
        try pass.apply(to: &train, scope: scope)
        try pass.apply(to: &eval, scope: scope)
        try train.verify()
        try eval.verify()

        var g = SeededGenerator(seed: 5)
        func images() -> Tensor {
            let shape = [2] + inputShape
            return Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &g) })
        }
        let executor = try Executor(program: train)
        let label = Tensor(shape: [2, 1], dtype: .s32, integers: [1, 2])
        for _ in 0..<2 {
            try executor.run(feeds: [built.image: images(), built.label: label], scope: scope, mode: .train)
            for (name, grad) in try executor.backward(loss: built.head.loss) {
                scope[name] = Kernels.add(try XCTUnwrap(scope[name]), grad.map { -0.05 * $0 })
            }
        }
        let x = images()
        func predict(_ p: Program, _ params: [String: Tensor]) throws -> [Float] {
            try XCTUnwrap(Executor(program: p).run(feeds: [built.image: x], scope: Scope(params), mode: .eval)[built.head.output]).floats
        }
        let expected = try predict(eval, scope.tensors)
        var frozen = eval, params = scope.tensors
        try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: weights)).apply(to: &frozen, params: &params)
        try frozen.verify()
        let frozenOut = try predict(frozen, params)
        let worst = zip(frozenOut, expected).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4, "frozen vs QAT eval probabilities", file: file, line: line)
        var int8 = frozen
        try ConvertToInt8Pass().apply(to: &int8, params: &params)
        XCTAssertTrue(int8.persistables.contains { $0.dtype == .s8 }, file: file, line: line)
        XCTAssertEqual(try predict(ConvertToInt8Pass.floatEmulationProgram(int8), params), frozenOut, file: file, line: line)
    }

    func testLeNet5() throws {
        try check(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
    }

    func testMobileNetV1ChannelWise() throws {
        try check(MobileNetV1(numClasses: 10, scale: 0.25), inputShape: [3, 32, 32], weights: .channelWiseAbsMax)
    }
}

private extension Tensor {
    func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, floats: floats.map(f)) }
}
