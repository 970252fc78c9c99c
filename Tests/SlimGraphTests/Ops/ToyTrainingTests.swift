import XCTest
@testable import SlimGraph
import SlimTensor

/// End to end: an MLP with batch norm learns a generated 2-class problem that is not linearly
/// separable (XOR of the quadrants) to near-zero loss with plain SGD, written here.
final class ToyTrainingTests: XCTestCase {
    /// 64 points in the four quadrants, kept away from the axes; label 1 when x * y > 0.
    static func xorData() -> (points: Tensor, labels: Tensor) {
        var rng = SeededGenerator(seed: 101)
        var points = [Float](), labels = [Int]()
        for i in 0..<64 {
            let sx: Float = i % 2 == 0 ? 1 : -1, sy: Float = (i / 2) % 2 == 0 ? 1 : -1
            points += [sx * (0.3 + 0.7 * rng.nextUnitFloat()), sy * (0.3 + 0.7 * rng.nextUnitFloat())]
            labels.append(sx * sy > 0 ? 1 : 0)
        }
        return (Tensor(shape: [64, 2], floats: points), Tensor(shape: [64, 1], dtype: .s32, integers: labels))
    }

    /// x -> fc(16) -> batch_norm -> relu -> fc(2) -> softmax_with_cross_entropy -> mean, plus softmax + accuracy.
    static func mlp() throws -> GradientCheckTests.Sketch {
        var s = GradientCheckTests.Sketch()
        s.rng = SeededGenerator(seed: 102)
        s.program.declare(VarDesc(name: "x", shape: [-1, 2]))
        s.program.declare(VarDesc(name: "label", shape: [-1, 1], dtype: .s32))
        s.program.feeds = ["x", "label"]
        s.parameter("fc0.w", [2, 16], -1, 1)
        s.parameter("fc0.b", [16], 0, 0)
        s.parameter("bn.scale", [16], 1, 1)
        s.parameter("bn.bias", [16], 0, 0)
        s.parameter("bn.mean", [16], trainable: false, 0, 0)
        s.parameter("bn.var", [16], trainable: false, 1, 1)
        s.parameter("fc1.w", [16, 2], -0.5, 0.5)
        s.parameter("fc1.b", [2], 0, 0)
        try s.op("mul", ["X": ["x"], "Y": ["fc0.w"]], ["Out": ["fc0.mul"]])
        try s.op("elementwise_add", ["X": ["fc0.mul"], "Y": ["fc0.b"]], ["Out": ["fc0.out"]], ["axis": .int(1)])
        try s.op("batch_norm", ["X": ["fc0.out"], "Scale": ["bn.scale"], "Bias": ["bn.bias"], "Mean": ["bn.mean"], "Variance": ["bn.var"]],
                 ["Y": ["bn.out"], "MeanOut": ["bn.mean"], "VarianceOut": ["bn.var"], "SavedMean": ["bn.sm"], "SavedVariance": ["bn.sv"]])
        try s.op("relu", ["X": ["bn.out"]], ["Out": ["hidden"]])
        try s.op("mul", ["X": ["hidden"], "Y": ["fc1.w"]], ["Out": ["fc1.mul"]])
        try s.op("elementwise_add", ["X": ["fc1.mul"], "Y": ["fc1.b"]], ["Out": ["logits"]], ["axis": .int(1)])
        try s.op("softmax", ["X": ["logits"]], ["Out": ["probs"]])
        try s.op("softmax_with_cross_entropy", ["Logits": ["logits"], "Label": ["label"]], ["Softmax": ["sm"], "Loss": ["losses"]])
        try s.op("mean", ["X": ["losses"]], ["Out": ["loss"]])
        try s.op("accuracy", ["Out": ["probs"], "Label": ["label"]], ["Accuracy": ["acc"], "Correct": ["correct"], "Total": ["total"]])
        s.program.update("correct") { $0.dtype = .s32 }
        s.program.update("total") { $0.dtype = .s32 }
        s.program.fetches = ["loss", "acc"]
        return s
    }

    /// w -= lr * dw for every trainable var.
    static func sgdStep(_ scope: Scope, _ grads: [String: Tensor], lr: Float) {
        for (name, g) in grads {
            guard var w = scope[name] else { continue }
            g.withUnsafeFloats { gs in w.withUnsafeMutableFloats { ws in for i in 0..<ws.count { ws[i] -= lr * gs[i] } } }
            scope[name] = w
        }
    }

    func testMLPLearnsXORToNearZeroLoss() throws {
        let s = try Self.mlp()
        let (points, labels) = Self.xorData()
        let feeds = ["x": points, "label": labels]
        let executor = try Executor(program: s.program, seed: 1)
        let first = try XCTUnwrap(executor.run(feeds: feeds, scope: s.scope, mode: .eval)["loss"]).floats[0]
        var loss = first
        for _ in 0..<100 {
            loss = try XCTUnwrap(executor.run(feeds: feeds, scope: s.scope, mode: .train)["loss"]).floats[0]
            Self.sgdStep(s.scope, try executor.backward(loss: "loss"), lr: 0.5)
        }
        XCTAssertGreaterThan(first, 0.5, "starts near chance")
        XCTAssertLessThan(loss, 0.02, "training loss after 100 SGD steps")
        let eval = try executor.run(feeds: feeds, scope: s.scope, mode: .eval)
        XCTAssertEqual(eval["acc"]?.floats, [1], "eval (running statistics) classifies every point")
        XCTAssertLessThan(try XCTUnwrap(eval["loss"]).floats[0], 0.05, "eval loss with the running statistics")
    }
}
