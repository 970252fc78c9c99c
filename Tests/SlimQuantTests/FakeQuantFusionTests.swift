import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Executors run each quantizer + dequantizer pair of a QAT program as one fused op on the
/// layout the convolutions chose; the losses, gradients and updated scales are bit for bit those
/// of the two ops run as written.
final class FakeQuantFusionTests: XCTestCase {
    /// A registry with SlimQuant's ops but not its fusion: the program's ops as written.
    static func unfusedRegistry() -> OpRegistry {
        let registry = OpRegistry()
        for op in QuantOps.all { registry.register(op) }
        return registry
    }

    func check(_ scheme: QuantizationScheme, model: (any ZooModel)? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        SlimQuant.registerOps()
        var built = try (model ?? ResNet(numClasses: 4, depth: 8, variant: .cifar)).build(inputShape: [3, 8, 8], seed: 1)
        try QuantizationTransformPass(scheme).apply(to: &built.program, params: &built.params)
        let fused = try Executor(program: built.program, seed: 1)
        let written = try Executor(program: built.program, registry: Self.unfusedRegistry(), seed: 1)
        let profile = OpProfile()
        fused.profile = profile
        let (a, b) = (Scope(built.params), Scope(built.params))
        var g = SeededGenerator(seed: 2)
        for step in 0..<2 {
            let images = Tensor(shape: [4, 3, 8, 8], floats: (0..<(4 * 192)).map { _ in Float.random(in: 0..<1, using: &g) })
            let labels = Tensor(shape: [4, 1], dtype: .s32, integers: [0, 1, 2, 3])
            let feeds = [built.image: images, built.label: labels]
            let lossA = try fused.run(feeds: feeds, scope: a, mode: .train, fetches: [built.loss])
            let lossB = try written.run(feeds: feeds, scope: b, mode: .train, fetches: [built.loss])
            XCTAssertEqual(lossA, lossB, "loss of step \(step)", file: file, line: line)
            let gradsA = try fused.backward(loss: built.loss), gradsB = try written.backward(loss: built.loss)
            XCTAssertEqual(Set(gradsA.keys), Set(gradsB.keys), file: file, line: line)
            for (name, grad) in gradsA { XCTAssertEqual(grad, gradsB[name], "gradient of \(name), step \(step)", file: file, line: line) }
            for (name, value) in a.tensors { XCTAssertEqual(value, b.tensors[name], "scope var \(name), step \(step)", file: file, line: line) }
            let evalA = try fused.run(feeds: [built.image: images], scope: a, mode: .eval, fetches: [built.interface.output])
            let evalB = try written.run(feeds: [built.image: images], scope: b, mode: .eval, fetches: [built.interface.output])
            XCTAssertEqual(evalA, evalB, "eval output, step \(step)", file: file, line: line)
        }
        let types = Set(profile.entries.keys)
        XCTAssertTrue(types.contains(FakeChannelWiseQuantizeDequantizeAbsMaxOp.type) || types.contains(FakeQuantizeDequantizeAbsMaxOp.type),
                      "weights fused: \(types.sorted())", file: file, line: line)
        XCTAssertFalse(types.contains(FakeDequantizeMaxAbsOp.type), "no dequantizer left: \(types.sorted())", file: file, line: line)
        XCTAssertFalse(types.contains(FakeChannelWiseDequantizeMaxAbsOp.type), "no dequantizer left: \(types.sorted())", file: file, line: line)
    }

    func testChannelWiseWeightsMovingAverageActivations() throws {
        try check(QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax))
    }

    /// Batch norm + relu -> quantize-dequantize -> depthwise / pointwise convolutions: the
    /// straight-through gradients written over the convolutions' gradients.
    func testMobileNetV1ChannelWiseWeightsMovingAverageActivations() throws {
        try check(QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax),
                  model: MobileNetV1(numClasses: 4, scale: 0.25))
    }

    func testAbsMaxWeightsRangeAbsMaxActivations() throws {
        try check(QuantizationScheme(weightQuantizeType: .absMax, activationQuantizeType: .rangeAbsMax, windowSize: 3))
    }

    func testAbsMaxActivationsFourBits() throws {
        try check(QuantizationScheme(weightBits: 4, activationBits: 4, weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .absMax))
    }

    func testFetchingTheQuantizedVarRunsThePairAsWritten() throws {
        SlimQuant.registerOps()
        var built = try ResNet(numClasses: 4, depth: 8, variant: .cifar).build(inputShape: [3, 8, 8], seed: 1)
        try QuantizationTransformPass(QuantizationScheme()).apply(to: &built.program, params: &built.params)
        let executor = try Executor(program: built.program, seed: 1)
        let quantized = built.image + ".quantized"
        let images = Tensor(shape: [1, 3, 8, 8], floats: (0..<192).map { Float($0 % 17) / 16 - 0.5 })
        let out = try executor.run(feeds: [built.image: images], scope: Scope(built.params), mode: .eval, fetches: [quantized])
        let q = try XCTUnwrap(out[quantized]).floats
        XCTAssertEqual(q, FakeQuant.quantize(images, scales: [FakeQuant.absMax(images)], bits: 8).floats)
        XCTAssertTrue(q.allSatisfy { $0 == $0.rounded() }, "integers")
    }
}
