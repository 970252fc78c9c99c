import Foundation
import SlimQuant
import SlimTensor
import XCTest

/// The histogram and the observers built on it (hist, KL, mse, mix), against hand-computed values.
final class ObserverHistogramTests: XCTestCase {
    func testHistogramTakesItsRangeFromTheFirstBatchAndDoublesIt() {
        var h = AbsHistogram(bins: 4)
        XCTAssertEqual(h.width, 0)
        h.add(t([0, 0]))                    // zeros before any range: bin 0
        XCTAssertEqual(h.counts, [2, 0, 0, 0])
        h.add(t([1, -2, 3, 4]))             // range 4, width 1; 4 is counted in the last bin
        XCTAssertEqual(h.width, 1)
        XCTAssertEqual(h.counts, [2, 1, 1, 2])
        h.add(t([-7]))                      // range doubles to 8: bins merge pairwise, 7 -> bin 3
        XCTAssertEqual(h.width, 2)
        XCTAssertEqual(h.counts, [3, 3, 0, 1])
        h.add(t([30]))                      // 30 needs range 32: width 8
        XCTAssertEqual(h.width, 8)
        XCTAssertEqual(h.counts, [7, 0, 0, 1])
        XCTAssertEqual(h.total, 8)
    }

    func testFixedRangeClipsLargerValuesIntoTheLastBin() {
        var h = AbsHistogram(bins: 4, range: 2)
        XCTAssertTrue(h.isFixed)
        h.add(t([0.1, -0.6, 1.9, 5, .nan]))
        XCTAssertEqual(h.width, 0.5)
        XCTAssertEqual(h.counts, [1, 1, 0, 2])
    }

    func testQuantizationErrorAtBinCentres() {
        // Bin centres 0.5 and 1.5 (one value each), 2 bits (bin = 1), threshold 1:
        // 0.5 -> round(0.5) = 1 (half away from zero) -> 1, error 0.25; 1.5 -> clipped to 1, error 0.25.
        var h = AbsHistogram(bins: 2, range: 2)
        h.add(t([0.7, -1.2]))
        XCTAssertEqual(h.quantizationError(threshold: 1, bits: 2), 0.25, accuracy: 1e-9)
        // 8 bits, threshold 2: 0.5 and 1.5 are on the grid (k * 2 / 127 ~ within half a step): small error.
        XCTAssertLessThan(h.quantizationError(threshold: 2, bits: 8), 1e-4)
    }

    func testHistIsThePercentileBinCentre() {
        var o = HistObserver(percentile: 0.9, bins: 100)
        o.observe(t((1...50).map { Float($0) }))
        o.observe(t((51...100).map { -Float($0) }))
        // width 1: value k in bin k (100 in the last bin, 99); 90 % of the 100 values reached at bin 90.
        XCTAssertEqual(o.scale, 90.5)
        XCTAssertEqual(HistObserver(percentile: 1, bins: 100, range: 100).scale, 0, "empty")
        var all = HistObserver(percentile: 1, bins: 100)
        all.observe(t((1...100).map { Float($0) }))
        XCTAssertEqual(all.scale, 99.5)
        XCTAssertEqual(HistObserver().percentile, 0.9999)
    }

    func testKLClipsALongTailWithOutliers() {
        // |x| exponentially distributed (quantiles of Exp(1), max ~ 9.9) plus a few outliers at 40.
        let n = 10_000
        var values = (0..<n).map { Float(-log(1 - (Double($0) + 0.5) / Double(n))) }
        values += Array(repeating: 40, count: 3)
        // TensorRT's search (from 128 bins): the outliers are clipped, the threshold lands near the
        // end of the tail (ln(2n) ~ 9.9), far below 40.
        var trt = KLObserver(startBin: 128)
        trt.observe(t(values))
        XCTAssertEqual(trt.histogram.range, 40)
        XCTAssertLessThan(trt.scale, 12)
        XCTAssertGreaterThan(trt.scale, 7)
        let edges = trt.scale / (40 / 2048)
        XCTAssertEqual(edges, edges.rounded(), accuracy: 1e-3, "a bin edge")
        // Paddle's search (the default, from half the bins = 20): every range from 20 up to 40 ends in
        // empty bins, where Q is 0 under the clipped mass, except the full one.
        var paddle = KLObserver()
        paddle.observe(t(values))
        XCTAssertEqual(paddle.scale, 40)
    }

    func testKLKeepsTheRangeOfAUniformDistribution() {
        var o = KLObserver()
        o.observe(t((0..<20_000).map { Float($0) / 20_000 }))
        XCTAssertGreaterThan(o.scale, 0.95)
        XCTAssertLessThanOrEqual(o.scale, 1)
    }

    func testKLWithFewerBinsThanLevelsDoesNotClip() {
        var o = KLObserver(bits: 8, bins: 64)
        o.observe(t([0.1, 0.2, 5]))
        XCTAssertEqual(o.scale, 5)
    }

    func testKLDivergenceOfAnExactQuantizationIsZero() throws {
        // 4 bins, 2 levels: groups {0,1} and {2,3}; equal counts in each group give Q == P.
        let d = KLObserver.divergence([2, 2, 1, 1], clippedAt: 4, outliers: 0, levels: 2)
        XCTAssertEqual(try XCTUnwrap(d), 0, accuracy: 1e-12)
        // Clipping at 2 bins with 2 levels: P = [2, 2 + 2], Q = [2, 2] -> KL = 1/3 log(2/3 / 1/2) + 2/3 log(... )
        let p = [2.0 / 6, 4.0 / 6], q = [0.5, 0.5]
        let expected = p[0] * log(p[0] / q[0]) + p[1] * log(p[1] / q[1])
        XCTAssertEqual(try XCTUnwrap(KLObserver.divergence([2, 2, 1, 1], clippedAt: 2, outliers: 2, levels: 2)), expected, accuracy: 1e-12)
        XCTAssertNil(KLObserver.divergence([2, 2, 0, 0, 1], clippedAt: 4, outliers: 1, levels: 2), "last group empty, P > 0")
    }

    func testMSEMinimisesTheQuantizationError() {
        // Ten 1s and one 4, 2 bits (levels -1, 0, 1): for s <= 2 the error is 10 (1 - s)^2 + (4 - s)^2,
        // least at s = 14 / 11 (8.18 in total); for s > 2 the ones round to 0 (error >= 10).
        var o = MSEObserver(bits: 2)
        o.observe(t(Array(repeating: 1, count: 10) + [-4]))
        XCTAssertEqual(o.scale, 14.0 / 11, accuracy: 0.02)
        var flat = MSEObserver()
        flat.observe(t([0.5, 1, -2]))
        XCTAssertEqual(flat.scale, 2, accuracy: 0.05, "without outliers 8 bits keep the range")
    }

    func testMixPicksTheLeastErrorAmongTheMethods() throws {
        let n = 10_000
        var values = (0..<n).map { Float(-log(1 - (Double($0) + 0.5) / Double(n))) }
        values += Array(repeating: 40, count: 3)
        var o = MixObserver()
        o.observe(t(values))
        let errors = o.candidates.map { o.histogram.quantizationError(threshold: $0.scale, bits: 8) }
        let best = try XCTUnwrap(errors.min())
        XCTAssertEqual(o.histogram.quantizationError(threshold: o.scale, bits: 8), best)
        XCTAssertNotEqual(o.chosen, .absMax)
        XCTAssertEqual(o.candidates.map(\.algorithm), [.absMax, .avg, .hist, .kl, .mse])
        XCTAssertEqual(o.candidates[0].scale, 40)
    }
}
