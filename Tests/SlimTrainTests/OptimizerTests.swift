import SlimTensor
import XCTest
@testable import SlimTrain

final class OptimizerTests: XCTestCase {
    private let g1 = Tensor(shape: [2], floats: [0.5, 0.25])

    private func run(_ optimizer: any Optimizer, grads: [Tensor], lr: Float = 0.1, extra: [String: Tensor] = [:])
        -> (params: [String: Tensor], state: [String: Tensor]) {
        var params = ["w": Tensor(shape: [2], floats: [1, -2])].merging(extra) { a, _ in a }
        var state: [String: Tensor] = [:]
        for g in grads {
            optimizer.step(params: &params, grads: ["w": g].merging(extra.mapValues { _ in g }) { a, _ in a }, state: &state, lr: lr)
        }
        return (params, state)
    }

    private func assertClose(_ t: Tensor?, _ expected: [Float], _ tol: Float = 1e-6, line: UInt = #line) {
        guard let values = t?.floats, values.count == expected.count else { return XCTFail("missing or wrong size: \(String(describing: t))", line: line) }
        for (a, b) in zip(values, expected) { XCTAssertEqual(a, b, accuracy: tol, line: line) }
    }

    func testSGDAndParamsWithoutGradients() {
        var params = ["w": Tensor(shape: [2], floats: [1, -2]), "frozen": Tensor(shape: [1], floats: [3])]
        var state: [String: Tensor] = [:]
        SGD().step(params: &params, grads: ["w": g1], state: &state, lr: 0.1)
        assertClose(params["w"], [0.95, -2.025])
        XCTAssertEqual(params["frozen"]?.floats, [3])
        XCTAssertTrue(state.isEmpty)
    }

    func testMomentumTwoSteps() {
        let r = run(Momentum(momentum: 0.9), grads: [g1, g1])
        // v1 = g = (0.5, 0.25); w1 = (0.95, -2.025); v2 = 0.9 v1 + g = (0.95, 0.475); w2 = w1 - 0.1 v2.
        assertClose(r.state["w_velocity_0"], [0.95, 0.475])
        assertClose(r.params["w"], [0.855, -2.0725])
    }

    func testNesterovStep() {
        let r = run(Momentum(momentum: 0.9, useNesterov: true), grads: [g1])
        // v = g; w -= lr (g + mu v) = 0.1 * (0.95, 0.475).
        assertClose(r.params["w"], [0.905, -2.0475])
    }

    func testAdamWithBiasCorrectionTwoSteps() {
        let r = run(Adam(), grads: [g1, Tensor(shape: [2], floats: [-0.5, 1.0])])
        // Step 1 moves each weight by lr * sign(g) (bias-corrected); step 2 values from the formulas.
        assertClose(r.params["w"], [0.90526322, -2.18843750], 1e-5)
        assertClose(r.state["w_moment1_0"], [-0.005, 0.1225])
        assertClose(r.state["w_moment2_0"], [0.00049975, 0.0010624375], 5e-8)  // Float(0.999) is inexact
        assertClose(r.state["w_beta1_pow_acc_0"], [0.729])
        assertClose(r.state["w_beta2_pow_acc_0"], [0.997003])
        let one = run(Adam(), grads: [g1])
        assertClose(one.params["w"], [0.9, -2.1], 1e-5)
    }

    func testAdamWDecaysBeforeTheAdamStep() {
        let r = run(AdamW(weightDecay: 0.01), grads: [g1])
        // w = w - lr*wd*w = (0.999, -1.998); then Adam's first step -lr*sign(g).
        assertClose(r.params["w"], [0.899, -2.098], 1e-5)
    }

    func testL2DecayFoldsIntoTheGradientExceptExcludedParams() {
        let sgd = SGD(regularization: .excluding(["bn"], factor: 0.1))
        let r = run(sgd, grads: [g1], extra: ["bn_scale": Tensor(shape: [2], floats: [1, -2])])
        // g' = g + 0.1 w = (0.6, 0.05) -> w = (0.94, -2.005); bn_scale keeps plain SGD.
        assertClose(r.params["w"], [0.94, -2.005])
        assertClose(r.params["bn_scale"], [0.95, -2.025])
        let momentum = run(Momentum(momentum: 0.9, regularization: L2Decay(factor: 0.1)), grads: [g1])
        assertClose(momentum.state["w_velocity_0"], [0.6, 0.05])
    }

    func testStateIsReusedFromACheckpoint() {
        var params = ["w": Tensor(shape: [2], floats: [1, -2])]
        var state = ["w_velocity_0": Tensor(shape: [2], floats: [1, 1])]
        Momentum(momentum: 0.5).step(params: &params, grads: ["w": g1], state: &state, lr: 1)
        assertClose(state["w_velocity_0"], [1.0, 0.75])
        assertClose(params["w"], [0, -2.75])
    }
}
