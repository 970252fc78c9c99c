import XCTest
@testable import SlimCompress

/// The sensitivity curves behind `SensitivePruneStrategy`'s choice of ratios.
final class SensitivitiesTests: XCTestCase {
    func testRatiosOfADeltaRate() {
        XCTAssertEqual(Sensitivities.ratios(delta: 0.25), [0.25, 0.5, 0.75])
        XCTAssertEqual(Sensitivities.ratios(delta: 0.1).count, 9)
        XCTAssertEqual(Sensitivities.ratios(delta: 0.1).last, 0.9)
    }

    func testLargestRatioUnderALossIsInterpolated() {
        let curve = Sensitivities.Curve(ratios: [0.2, 0.4, 0.6], losses: [0.01, 0.05, 0.30])
        XCTAssertEqual(curve.ratio(atLoss: 0), 0)
        XCTAssertEqual(curve.ratio(atLoss: 0.005), 0.1, accuracy: 1e-12, "between (0, 0) and (0.2, 0.01)")
        XCTAssertEqual(curve.ratio(atLoss: 0.03), 0.3, accuracy: 1e-12)
        XCTAssertEqual(curve.ratio(atLoss: 0.05), 0.4, accuracy: 1e-12)
        XCTAssertEqual(curve.ratio(atLoss: 1), 0.6, "never beyond the last measured ratio")
    }

    func testANonMonotoneCurveStopsAtTheFirstCrossing() {
        let curve = Sensitivities.Curve(ratios: [0.2, 0.4, 0.6], losses: [0.04, 0.02, 0.5])
        XCTAssertEqual(curve.ratio(atLoss: 0.03), 0.15, accuracy: 1e-12)
    }

    func testJSONIsAPlainTable() throws {
        let s = Sensitivities(curves: ["w": .init(ratios: [0.5], losses: [0.25])])
        let data = try JSONEncoder().encode(s)
        let plain = try JSONSerialization.jsonObject(with: data) as? [String: [String: [Double]]]
        XCTAssertEqual(plain, ["w": ["ratios": [0.5], "losses": [0.25]]])
        XCTAssertEqual(try JSONDecoder().decode(Sensitivities.self, from: data), s)
    }
}
