import Foundation
import SlimTrain
import XCTest

final class BenchResultTests: XCTestCase {
    func result(_ samples: [Double], model: String = "mbv1") -> BenchResult {
        BenchResult(model: model, mode: .train, precision: .fp32, batch: 64, threads: 2, data: .synthetic,
                    warmup: 1, stepMilliseconds: samples, peakRSSMB: 123.45)
    }

    func testMedianOfOddAndEvenCounts() {
        XCTAssertEqual(result([5, 1, 3]).medianMilliseconds, 3)
        XCTAssertEqual(result([4, 1, 3, 100]).medianMilliseconds, 3.5)
        XCTAssertEqual(result([40, 1, 3, 100]).imagesPerSecond, 64 * 1000 / 21.5, accuracy: 1e-9)
    }

    func testJSONLineHasExactlyTheContractKeysInOrder() throws {
        let line = result([10, 20, 30], model: "dir/with \"quotes\"").jsonLine
        XCTAssertFalse(line.contains("\n"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let keys = ["model", "mode", "dtype", "batch", "threads", "median_ms", "images_per_s", "peak_rss_mb"]
        XCTAssertEqual(Set(object.keys), Set(keys))
        let positions = try keys.map { try XCTUnwrap(line.range(of: "\"\($0)\":"), $0).lowerBound }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(object["model"] as? String, "dir/with \"quotes\"")
        XCTAssertEqual(object["median_ms"] as? Double, 20)
        XCTAssertEqual(object["images_per_s"] as? Double, 3200)
        XCTAssertEqual(object["peak_rss_mb"] as? Double, 123.5)
        XCTAssertEqual(object["batch"] as? Int, 64)
    }
}
