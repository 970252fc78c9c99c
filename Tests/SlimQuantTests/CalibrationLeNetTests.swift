import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Calibration end to end on LeNet-5 trained a few steps on a synthetic 10-class task: for every
/// algorithm (channel-wise weights), the calibrated QAT eval model, its frozen float model and its
/// INT8 model agree with each other, and with the FP32 model's predictions.
final class CalibrationLeNetTests: XCTestCase {
    override func setUp() { SlimQuant.registerOps() }

    /// Class `c` is a bright 7x7 square at one of 10 places over seeded noise.
    private func batch(seed: UInt64, size: Int = 16) -> (images: Tensor, labels: Tensor) {
        var g = SeededGenerator(seed: seed)
        var pixels = (0..<(size * 784)).map { _ in Float.random(in: -0.5...0.5, using: &g) }
        var labels: [Int] = []
        for n in 0..<size {
            let c = Int.random(in: 0..<10, using: &g)
            labels.append(c)
            let (top, left) = (c / 5 * 14 + 3, c % 5 * 5 + 1)
            for y in top..<(top + 7) { for x in left..<(left + 5) { pixels[n * 784 + y * 28 + x] += 2 } }
        }
        return (Tensor(shape: [size, 1, 28, 28], floats: pixels), Tensor(shape: [size, 1], dtype: .s32, integers: labels))
    }

    private func trainedLeNet() throws -> (BuiltModel, Program) {
        let built = LeNet5().build(inputShape: [1, 28, 28], seed: 1)
        let scope = Scope(built.params)
        let executor = try Executor(program: built.program)
        for step in 0..<12 {
            let b = batch(seed: UInt64(100 + step))
            try executor.run(feeds: [built.image: b.images, built.label: b.labels], scope: scope, mode: .train)
            for (name, grad) in try executor.backward(loss: built.head.loss) {
                scope[name] = Tensor(shape: grad.shape, floats: zip(try XCTUnwrap(scope[name], name).floats, grad.floats).map { $0 - 0.1 * $1 })
            }
        }
        var trained = built
        trained.params = scope.tensors
        return (trained, try built.program.pruned(feeds: [built.image], fetches: [built.head.output]))
    }

    func testEveryAlgorithmGivesAgreeingFrozenAndInt8Models() throws {
        let (built, inference) = try trainedLeNet()
        let calibration = (1...4).map { ["image": batch(seed: $0).images] }
        let test = batch(seed: 999, size: 64).images
        func predict(_ p: Program, _ params: [String: Tensor]) throws -> [Float] {
            try XCTUnwrap(Executor(program: p).run(feeds: ["image": test], scope: Scope(params), mode: .eval)[built.head.output]).floats
        }
        let fp32 = try predict(inference, built.params)
        for algorithm in CalibrationAlgorithm.allCases {
            do {
                let weights = WeightQuantizeType.channelWiseAbsMax   // abs_max weights: CalibrationTests
                let ptq = PostTrainingQuantization(algorithm: algorithm, scheme: QuantizationScheme(weightQuantizeType: weights), bins: 512)
                let result = try ptq.calibrate(inference, params: built.params, batches: calibration)
                XCTAssertEqual(result.scales.count, 5, "image, two pool outputs, two fc inputs")
                var qat = inference, params = built.params
                try ptq.apply(result, to: &qat, params: &params)
                let eval = try predict(qat, params)
                var frozen = qat, frozenParams = params
                try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: weights)).apply(to: &frozen, params: &frozenParams)
                let frozenOut = try predict(frozen, frozenParams)
                var int8 = frozen, int8Params = frozenParams
                try ConvertToInt8Pass().apply(to: &int8, params: &int8Params)
                let int8Out = try predict(ConvertToInt8Pass.floatEmulationProgram(int8), int8Params)
                let label = "\(algorithm) \(weights)"
                // Not bit-equal: the QAT graph convolves dequantized floats, the frozen one integers scaled
                // afterwards; a downstream activation at a rounding tie can move by one level.
                XCTAssertLessThan(maxDifference(frozenOut, eval), 5e-3, label)
                XCTAssertEqual(int8Out, frozenOut, label)
                XCTAssertGreaterThanOrEqual(agreement(int8Out, fp32), 0.95, label)
            }
        }
    }

    private func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    /// The share of rows (10 classes) whose argmax agrees.
    private func agreement(_ a: [Float], _ b: [Float]) -> Double {
        let rows = a.count / 10
        let same = (0..<rows).filter { r in argmax(a[r * 10 ..< r * 10 + 10]) == argmax(b[r * 10 ..< r * 10 + 10]) }.count
        return Double(same) / Double(rows)
    }

    private func argmax(_ x: ArraySlice<Float>) -> Int { x.indices.max { x[$0] < x[$1] }! - x.startIndex }
}
