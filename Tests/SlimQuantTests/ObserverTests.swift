import SlimQuant
import SlimTensor
import XCTest

/// AbsMax and Avg observers and the algorithm enum, against hand-computed values.
final class ObserverTests: XCTestCase {
    func testAbsMaxIsTheLargestMagnitudeOverAllBatches() {
        var o = AbsMaxObserver()
        XCTAssertEqual(o.scale, 0)
        o.observe(t([1, -3, 2]))
        o.observe(t([0.5, 2.5]))
        o.observe(t([-1]))
        XCTAssertEqual(o.scale, 3)
    }

    func testObserversSkipValuesThatAreNotFinite() {
        var o = AbsMaxObserver(), a = AvgObserver()
        for x in [t([.nan, .infinity, -2]), t([-.infinity, 1])] {
            o.observe(x)
            a.observe(x)
        }
        XCTAssertEqual(o.scale, 2)
        XCTAssertEqual(a.scale, 1.5)
    }

    func testAvgIsTheMeanOfTheBatchMaxima() {
        var o = AvgObserver()
        XCTAssertEqual(o.scale, 0)
        o.observe(t([1, -3, 2]))      // 3
        o.observe(t([0.5, 2.5]))      // 2.5
        o.observe(t([-1, 0]))         // 1
        XCTAssertEqual(o.batches, 3)
        XCTAssertEqual(o.scale, 6.5 / 3, accuracy: 1e-6)
    }

    func testAlgorithmsMakeTheirObservers() {
        XCTAssertEqual(CalibrationAlgorithm.allCases.map(\.rawValue), ["abs_max", "avg", "hist", "KL", "mse", "mix"])
        XCTAssertTrue(CalibrationAlgorithm.absMax.makeObserver() is AbsMaxObserver)
        XCTAssertTrue(CalibrationAlgorithm.avg.makeObserver() is AvgObserver)
        XCTAssertTrue(CalibrationAlgorithm.hist.makeObserver() is HistObserver)
        XCTAssertTrue(CalibrationAlgorithm.kl.makeObserver() is KLObserver)
        XCTAssertTrue(CalibrationAlgorithm.mse.makeObserver() is MSEObserver)
        XCTAssertTrue(CalibrationAlgorithm.mix.makeObserver() is MixObserver)
        XCTAssertEqual(CalibrationAlgorithm.allCases.filter(\.usesHistogram), [.hist, .kl, .mse, .mix])
        let hist = CalibrationAlgorithm.hist.makeObserver(percentile: 0.5, bins: 10, range: 4) as? HistObserver
        XCTAssertEqual(hist?.histogram.range, 4)
        XCTAssertEqual(hist?.histogram.bins, 10)
        XCTAssertEqual(hist?.percentile, 0.5)
    }
}

/// A 1-D f32 tensor.
func t(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], floats: values) }
