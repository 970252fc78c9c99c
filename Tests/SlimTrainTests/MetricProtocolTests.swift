import Foundation
import SlimTensor
import XCTest
@testable import SlimTrain

final class MetricProtocolTests: XCTestCase {
    private func json(_ result: EvalResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }

    /// A classification result keeps its JSON keys (`--output_eval`, context.json, eval.json).
    func testClassificationJSONUnchanged() throws {
        let result = EvalResult(loss: 1.25, top1: 0.5, top5: 1, samples: 4)
        XCTAssertEqual(try json(result), #"{"loss":1.25,"samples":4,"top1":0.5,"top5":1}"#)
        let decoded = try JSONDecoder().decode(EvalResult.self, from: Data(#"{"top5":1,"samples":4,"loss":1.25,"top1":0.5}"#.utf8))
        XCTAssertEqual(decoded, result)
        XCTAssertEqual(decoded.primaryName, "top1")
        XCTAssertEqual(decoded.primary, 0.5)
    }

    /// Another task's result records its primary value and order, and round-trips.
    func testGeneralResultRoundTrips() throws {
        let result = EvalResult(values: [.init("mAP", 0.75), .init("AP50", 0.9)], primary: "mAP", samples: 10)
        XCTAssertEqual(try json(result), #"{"AP50":0.9,"mAP":0.75,"names":["mAP","AP50"],"primary":"mAP","samples":10}"#)
        XCTAssertEqual(try JSONDecoder().decode(EvalResult.self, from: JSONEncoder().encode(result)), result)
        XCTAssertEqual(result.description, "mAP 0.7500  AP50 0.9000  (10 samples)")
        XCTAssertEqual(result.top1, 0)
        XCTAssertThrowsError(try JSONDecoder().decode(EvalResult.self, from: Data(#"{"AP50":0.9,"primary":"mAP","samples":1}"#.utf8)))
    }

    /// Higher is better except for the loss; the primary value decides by default; ties are no improvement.
    func testIsBetter() {
        let a = EvalResult(loss: 1, top1: 0.5, top5: 0.9, samples: 4), b = EvalResult(loss: 2, top1: 0.6, top5: 0.9, samples: 4)
        XCTAssertTrue(b.isBetter(than: a))
        XCTAssertFalse(a.isBetter(than: b))
        XCTAssertTrue(a.isBetter(than: b, by: "loss"))
        XCTAssertFalse(a.isBetter(than: b, by: "top5"))
        XCTAssertFalse(a.isBetter(than: a))
    }

    /// `TopKMetric` is the evaluator's classification metric: update per batch, accumulate, reset;
    /// its numbers are `EvalAccumulator`'s with the cross-entropy of the probabilities.
    func testTopKMetric() throws {
        var metric = TopKMetric(output: "prob")
        XCTAssertEqual(metric.fetches, ["prob"])
        let probabilities = Tensor(shape: [2, 2], floats: [0.8, 0.2, 0.4, 0.6])
        let batch = Batch(images: Tensor(shape: [2, 1, 1, 1]), labels: Tensor(shape: [2, 1], dtype: .s32, integers: [0, 0]), indices: [0, 1])
        try metric.update(batch: batch, outputs: ["prob": probabilities])
        let result = metric.accumulate()
        XCTAssertEqual(result.top1, 0.5)
        XCTAssertEqual(result.top5, 1)
        XCTAssertEqual(result.loss, -(log(0.8) + log(0.4)) / 2, accuracy: 1e-6)
        XCTAssertEqual(result.samples, 2)
        metric.reset()
        XCTAssertEqual(metric.accumulate().samples, 0)
        XCTAssertThrowsError(try metric.update(batch: batch, outputs: [:]), "a missing output is an error")
        let outside = Batch(images: Tensor(shape: [2, 1, 1, 1]), labels: Tensor(shape: [2, 1], dtype: .s32, integers: [0, 2]), indices: [0, 1])
        XCTAssertThrowsError(try metric.update(batch: outside, outputs: ["prob": probabilities])) { error in
            guard case DataError.labelOutOfRange = error else { return XCTFail("\(error)") }
        }
    }
}
