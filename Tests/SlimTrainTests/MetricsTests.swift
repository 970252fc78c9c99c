import SlimTensor
import XCTest
@testable import SlimTrain

final class MetricsTests: XCTestCase {
    func testTopKAccuracyWithTies() {
        let scores = Tensor(shape: [3, 4], floats: [
            0.1, 0.7, 0.2, 0.0,   // label 1: rank 0
            0.5, 0.1, 0.3, 0.4,   // label 2: rank 2
            0.3, 0.3, 0.3, 0.1,   // label 1: tie with class 0 ahead -> rank 1
        ])
        let labels = Tensor(shape: [3, 1], dtype: .s32, integers: [1, 2, 1])
        XCTAssertEqual(TopKAccuracy.correct(scores: scores, labels: labels, k: 1), 1)
        XCTAssertEqual(TopKAccuracy.correct(scores: scores, labels: labels, k: 2), 2)
        XCTAssertEqual(TopKAccuracy.correct(scores: scores, labels: labels, k: 3), 3)
        XCTAssertEqual(TopKAccuracy.accuracy(scores: scores, labels: labels, k: 2), 2.0 / 3.0, accuracy: 1e-12)
    }

    func testRunningMeanAndEvalAccumulator() throws {
        var mean = RunningMean()
        XCTAssertEqual(mean.mean, 0)
        mean.add(1.0, weight: 3)
        mean.add(3.0, weight: 1)
        XCTAssertEqual(mean.mean, 1.5)
        var acc = EvalAccumulator()
        acc.add(meanLoss: 2, scores: Tensor(shape: [1, 2], floats: [0.9, 0.1]), labels: Tensor(shape: [1, 1], dtype: .s32, integers: [0]))
        acc.add(meanLoss: 1, scores: Tensor(shape: [3, 2], floats: [0.9, 0.1, 0.2, 0.8, 0.6, 0.4]),
                labels: Tensor(shape: [3, 1], dtype: .s32, integers: [1, 1, 1]))
        let result = acc.result
        XCTAssertEqual(result, EvalResult(loss: 1.25, top1: 0.5, top5: 1, samples: 4))
        let decoded = try JSONDecoder().decode(EvalResult.self, from: JSONEncoder().encode(result))
        XCTAssertEqual(decoded, result)
        XCTAssertEqual(result.description, "loss 1.2500  top1 0.5000  top5 1.0000  (4 samples)")
    }
}
