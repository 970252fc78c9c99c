@testable import SlimGraph
import SlimTensor
import XCTest

/// `SyncBatchNorm` in one process (a reduction that leaves the sums as they are) against oneDNN's
/// training batch norm: the same statistics and gradients, with and without the fused ReLU.
final class SyncBatchNormTests: XCTestCase {
    override func tearDown() {
        SyncBatchNorm.reduction = nil
        super.tearDown()
    }

    func random(_ shape: [Int], seed: Int) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, floats: (0..<n).map { i in Float(sin(Double(i * 7 + seed * 13)) * 2 + Double(seed) * 0.3) })
    }

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.floats, b.floats).map { abs($0 - $1) }.max() ?? 0
    }

    func testOneProcessMatchesTheOneDNNBatchNorm() throws {
        SyncBatchNorm.reduction = { _ in }
        let x = random([4, 3, 5, 5], seed: 1), dy = random([4, 3, 5, 5], seed: 2)
        let scale = Tensor(shape: [3], floats: [0.5, 1.5, -2]), shift = Tensor(shape: [3], floats: [0.1, 0, -0.3])
        let reference = Kernels.batchNormTraining(x, scale: scale, shift: shift, epsilon: 1e-5)
        let s = SyncBatchNorm.statistics(x)
        XCTAssertEqual(s.count, 100)
        XCTAssertLessThan(maxDifference(s.mean, reference.mean), 1e-5)
        XCTAssertLessThan(maxDifference(s.variance, reference.variance), 1e-4)
        let expected = Kernels.batchNormBackward(dy, input: x, scale: scale, mean: reference.mean, variance: reference.variance, epsilon: 1e-5)
        let grads = SyncBatchNorm.gradients(dy: dy, x: x, scale: scale, mean: s.mean, variance: s.variance, epsilon: 1e-5, count: s.count)
        XCTAssertLessThan(maxDifference(grads.input, expected.input), 1e-4)
        XCTAssertLessThan(maxDifference(grads.scale, expected.scale), 1e-3)
        XCTAssertLessThan(maxDifference(grads.shift, expected.shift), 1e-3)
    }
}

extension SyncBatchNormTests {
    func testFusedReLUMatchesTheOneDNNBatchNormReLU() throws {
        SyncBatchNorm.reduction = { _ in }
        let x = random([4, 3, 5, 5], seed: 3), dy = random([4, 3, 5, 5], seed: 4)
        let scale = Tensor(shape: [3], floats: [0.5, 1.5, -2]), shift = Tensor(shape: [3], floats: [0.1, 0, -0.3])
        let reference = Kernels.batchNormReLUTraining(x, scale: scale, shift: shift, epsilon: 1e-5)
        let expected = Kernels.batchNormReLUBackward(dy, input: x, scale: scale, mean: reference.mean, variance: reference.variance,
                                                     epsilon: 1e-5, workspace: reference.workspace)
        let s = SyncBatchNorm.statistics(x)
        let y = Kernels.batchNormReLUInference(x, scale: scale, shift: shift, mean: s.mean, variance: s.variance, epsilon: 1e-5)
        XCTAssertLessThan(maxDifference(y, reference.output), 1e-4)
        let grads = SyncBatchNorm.gradients(dy: dy, x: x, scale: scale, mean: s.mean, variance: s.variance, epsilon: 1e-5, count: s.count,
                                            reluShift: shift)
        XCTAssertLessThan(maxDifference(grads.input, expected.input), 1e-4)
        XCTAssertLessThan(maxDifference(grads.scale, expected.scale), 1e-3)
        XCTAssertLessThan(maxDifference(grads.shift, expected.shift), 1e-3)
    }
}
