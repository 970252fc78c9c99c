import XCTest
@testable import SlimTrain

final class ScheduleTests: XCTestCase {
    func testPaddleDetectionPiecewiseWithWarmupAtPinnedSteps() throws {
        let lr = try LearningRate(baseLR: 0.01, schedulers: [
            PiecewiseDecay(gamma: 0.1, milestones: [258, 516]),
            LinearWarmup(steps: 100, startFactor: 0.1),
        ])
        let expected: [(Int, Double)] = [(0, 0.001), (50, 0.0055), (99, 0.00991), (100, 0.01), (257, 0.01),
                                         (258, 0.001), (515, 0.001), (516, 0.0001), (1000, 0.0001)]
        for (step, value) in expected {
            XCTAssertEqual(lr.lr(at: step), value, accuracy: 1e-12, "step \(step)")
        }
    }

    func testPiecewiseExplicitValuesAndEpochUnits() throws {
        let p = try PiecewiseDecay(milestones: [10, 20], values: [0.5, 0.2, 0.05])
        XCTAssertEqual([0, 9, 10, 19, 20, 99].map { p.lr(at: $0) }, [0.5, 0.5, 0.2, 0.2, 0.05, 0.05])
        let epochs = try PiecewiseDecay(baseLR: 0.1, gamma: 0.5, milestoneEpochs: [2, 3.5], itersPerEpoch: 100)
        XCTAssertEqual(epochs.milestones, [200, 350])
        XCTAssertEqual(epochs.lr(at: 349), 0.05, accuracy: 1e-12)
        XCTAssertEqual(epochs.lr(at: 350), 0.025, accuracy: 1e-12)
        XCTAssertEqual(try LinearWarmup(epochs: 0.5, itersPerEpoch: 469).steps, 235)
    }

    func testCosineAndExponential() throws {
        let cosine = try CosineDecay(baseLR: 0.1, maxIters: 100, minLR: 0.01)
        XCTAssertEqual(cosine.lr(at: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(cosine.lr(at: 50), 0.055, accuracy: 1e-12)
        XCTAssertEqual(cosine.lr(at: 100), 0.01, accuracy: 1e-12)
        XCTAssertEqual(cosine.lr(at: 25), 0.01 + 0.09 * (cos(Double.pi / 4) + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(cosine.lr(at: 500), 0.01, accuracy: 1e-12)
        let exp = try ExponentialDecay(baseLR: 0.1, gamma: 0.5, decaySteps: 10)
        XCTAssertEqual(exp.lr(at: 10), 0.05, accuracy: 1e-12)
        XCTAssertEqual(exp.lr(at: 5), 0.1 * 0.5.squareRoot(), accuracy: 1e-12)
        let warmCosine = try LearningRate(baseLR: 0.2, schedulers: [CosineDecay(maxIters: 1000), LinearWarmup(steps: 10, startFactor: 0)])
        XCTAssertEqual(warmCosine.lr(at: 5), 0.1, accuracy: 1e-12)
        XCTAssertEqual(warmCosine.lr(at: 500), 0.1, accuracy: 1e-12)
    }

    func testInvalidConfigurationsThrow() throws {
        XCTAssertThrowsError(try PiecewiseDecay(milestones: [10, 5]))
        XCTAssertThrowsError(try PiecewiseDecay(milestones: [10], values: [1]))
        XCTAssertThrowsError(try LinearWarmup(steps: -1))
        XCTAssertThrowsError(try LinearWarmup(epochs: 1e300, itersPerEpoch: 2)) { error in
            XCTAssertTrue("\(error)".contains("too many to count"), "\(error)")
        }
        XCTAssertThrowsError(try PiecewiseDecay(milestoneEpochs: [1, 1e19], itersPerEpoch: 1))
        XCTAssertThrowsError(try CosineDecay(maxIters: 0))
        XCTAssertThrowsError(try LearningRate(baseLR: -1))
        XCTAssertThrowsError(try LearningRate(baseLR: 0.1, schedulers: [LinearWarmup(steps: 5), PiecewiseDecay(milestones: [1])])) { error in
            XCTAssertTrue("\(error)".contains("first scheduler"))
        }
        XCTAssertEqual(try LearningRate(baseLR: 0.3).lr(at: 12345), 0.3)
        XCTAssertEqual(try LearningRate(baseLR: 0.3, schedulers: [LinearWarmup(steps: 10, startFactor: 0.5)]).lr(at: 20), 0.3)
    }
}
