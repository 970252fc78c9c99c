import XCTest
@testable import SlimGraph
import SlimTensor

/// Whole-program gradients: the Executor's reverse pass against central finite differences on a
/// small CNN (conv + bn + relu + pool + fc + softmax_with_cross_entropy + mean), and gradient
/// accumulation for vars read by several ops (and twice by one op).
final class GradientCheckTests: XCTestCase {
    /// A program under construction, vars declared as ops are added.
    struct Sketch {
        var program = Program()
        var scope = Scope()
        var rng = SeededGenerator(seed: 91)

        mutating func parameter(_ name: String, _ shape: [Int], trainable: Bool = true, _ lo: Float = -1, _ hi: Float = 1) {
            program.declare(VarDesc(name: name, shape: shape, persistable: true, trainable: trainable))
            scope[name] = OpTestValues.random(shape, &rng, lo, hi)
        }

        mutating func op(_ type: String, _ inputs: [String: [String]], _ outputs: [String: [String]], _ attrs: [String: Attribute] = [:]) throws {
            let desc = OpDesc(type: type, inputs: inputs, outputs: outputs, attrs: attrs)
            let shapes = try OpRegistry.shared.op(type).inferShapes(desc, inputs: inputs.mapValues { try $0.map { try XCTUnwrap(program.variable($0), "\(type): no input \($0)").shape } })
            for (slot, names) in outputs {
                for (i, name) in names.enumerated() where !program.has(name) { program.declare(VarDesc(name: name, shape: try XCTUnwrap(shapes[slot], slot)[i])) }
            }
            program.ops.append(desc)
        }

        /// Scale, bias, running mean and variance of a batch norm `name` over `channels`.
        mutating func batchNormParameters(_ name: String, channels c: Int) {
            parameter("\(name).scale", [c], 0.5, 1.5)
            parameter("\(name).bias", [c], -0.2, 0.2)
            parameter("\(name).mean", [c], trainable: false, -0.1, 0.1)
            parameter("\(name).var", [c], trainable: false, 0.5, 1.5)
        }

        /// A `batch_norm` of `x` into `y` with the parameters of `batchNormParameters(name, ...)`.
        mutating func batchNorm(_ name: String, _ x: String, _ y: String) throws {
            try op("batch_norm", ["X": [x], "Scale": ["\(name).scale"], "Bias": ["\(name).bias"], "Mean": ["\(name).mean"],
                                  "Variance": ["\(name).var"]],
                   ["Y": [y], "MeanOut": ["\(name).mean"], "VarianceOut": ["\(name).var"], "SavedMean": ["\(name).saved_mean"],
                    "SavedVariance": ["\(name).saved_var"]])
        }
    }

    /// conv2d -> batch_norm -> relu -> max pool -> fc (mul + elementwise_add) -> softmax_with_cross_entropy -> mean.
    /// Conv weights in [-1, 1]: batch norm divides by their scale, so small weights would make the
    /// loss too curved in them for a finite difference with eps 1e-2.
    func smallCNN() throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 2, 6, 6]))
        s.program.declare(VarDesc(name: "label", shape: [-1, 1], dtype: .s32))
        s.program.feeds = ["image", "label"]
        s.parameter("conv.w", [3, 2, 3, 3], -1, 1)
        s.parameter("bn.scale", [3], 0.5, 1.5)
        s.parameter("bn.bias", [3], -0.2, 0.2)
        s.parameter("bn.mean", [3], trainable: false, 0, 0)
        s.parameter("bn.var", [3], trainable: false, 1, 1)
        s.parameter("fc.w", [27, 3], -0.5, 0.5)
        s.parameter("fc.b", [3], -0.1, 0.1)
        try s.op("conv2d", ["Input": ["image"], "Filter": ["conv.w"]], ["Output": ["conv.out"]], ["paddings": .ints([1, 1])])
        try s.op("batch_norm", ["X": ["conv.out"], "Scale": ["bn.scale"], "Bias": ["bn.bias"], "Mean": ["bn.mean"], "Variance": ["bn.var"]],
                 ["Y": ["bn.out"], "MeanOut": ["bn.mean"], "VarianceOut": ["bn.var"], "SavedMean": ["bn.saved_mean"], "SavedVariance": ["bn.saved_var"]])
        try s.op("relu", ["X": ["bn.out"]], ["Out": ["relu.out"]])
        try s.op("pool2d", ["X": ["relu.out"]], ["Out": ["pool.out"]], ["pooling_type": .string("max"), "ksize": .ints([2, 2]), "strides": .ints([2, 2])])
        try s.op("mul", ["X": ["pool.out"], "Y": ["fc.w"]], ["Out": ["fc.mul"]])
        try s.op("elementwise_add", ["X": ["fc.mul"], "Y": ["fc.b"]], ["Out": ["fc.logits"]], ["axis": .int(1)])
        try s.op("softmax_with_cross_entropy", ["Logits": ["fc.logits"], "Label": ["label"]], ["Softmax": ["sm"], "Loss": ["losses"]])
        try s.op("mean", ["X": ["losses"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }

    /// Compares the executor's gradient of `loss` for every trainable element with the central
    /// difference `(L(θ + eps) - L(θ - eps)) / 2 eps` (train mode both ways).
    func checkGradients(_ s: Sketch, feeds: [String: Tensor], loss: String = "loss", eps: Float = 1e-2, tol: Float = 1e-2,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let executor = try Executor(program: s.program)
        try executor.run(feeds: feeds, scope: s.scope, mode: .train)
        let grads = try executor.backward(loss: loss)
        func lossValue() throws -> Float { try XCTUnwrap(executor.run(feeds: feeds, scope: s.scope, mode: .train)[loss], loss, file: file, line: line).floats[0] }
        var checked = 0
        for v in s.program.trainables {
            guard let g = grads[v.name]?.floats else { XCTFail("no gradient for \(v.name)", file: file, line: line); continue }
            let original = try XCTUnwrap(s.scope[v.name], v.name, file: file, line: line)
            for i in 0..<original.count {
                var plus = original, minus = original
                plus.withUnsafeMutableFloats { $0[i] += eps }
                minus.withUnsafeMutableFloats { $0[i] -= eps }
                s.scope[v.name] = plus
                let up = try lossValue()
                s.scope[v.name] = minus
                let down = try lossValue()
                s.scope[v.name] = original
                let numeric = (up - down) / (2 * eps)
                XCTAssertLessThanOrEqual(abs(numeric - g[i]), tol * max(abs(numeric), abs(g[i])) + 1e-3,
                                         "\(v.name)[\(i)]: numeric \(numeric), backward \(g[i])", file: file, line: line)
                checked += 1
            }
        }
        XCTAssertEqual(checked, s.program.trainables.map { $0.shape.reduce(1, *) }.reduce(0, +), file: file, line: line)
    }

    func testSmallCNNGradientsMatchFiniteDifferences() throws {
        let s = try smallCNN()
        var rng = SeededGenerator(seed: 92)
        let feeds = ["image": OpTestValues.random([4, 2, 6, 6], &rng), "label": OpTestValues.labels(4, classes: 3, &rng)]
        try checkGradients(s, feeds: feeds)
    }

    /// h = x·W feeds relu and an add; the add's output is added to itself:
    /// L = mean(2 (h + relu(h))), so dh = 2 (1 + [h > 0]) / count.
    func testGradientsAccumulateOverConsumers() throws {
        var s = Sketch()
        s.parameter("x", [3, 4])
        s.parameter("w", [4, 5])
        try s.op("mul", ["X": ["x"], "Y": ["w"]], ["Out": ["h"]])
        try s.op("relu", ["X": ["h"]], ["Out": ["a"]])
        try s.op("elementwise_add", ["X": ["h"], "Y": ["a"]], ["Out": ["s"]])
        try s.op("elementwise_add", ["X": ["s"], "Y": ["s"]], ["Out": ["t"]])
        try s.op("mean", ["X": ["t"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        let executor = try Executor(program: s.program)
        let h = try XCTUnwrap(executor.run(feeds: [:], scope: s.scope, mode: .train, fetches: ["h", "loss"])["h"])
        let grads = try executor.backward(loss: "loss")
        let dh = h.floats.map { Float(2) * (1 + ($0 > 0 ? 1 : 0)) / 15 }
        let x = try XCTUnwrap(s.scope["x"]).floats, w = try XCTUnwrap(s.scope["w"]).floats
        var dw = [Float](repeating: 0, count: 20), dx = [Float](repeating: 0, count: 12)
        for m in 0..<3 {
            for k in 0..<4 {
                for n in 0..<5 {
                    dw[k * 5 + n] += x[m * 4 + k] * dh[m * 5 + n]
                    dx[m * 4 + k] += dh[m * 5 + n] * w[k * 5 + n]
                }
            }
        }
        assertClose(grads["w"], dw, shape: [4, 5], tol: 1e-5, "dW")
        assertClose(grads["x"], dx, shape: [3, 4], tol: 1e-5, "dX")
        try checkGradients(s, feeds: [:])
    }

    /// A square op that only a private registry knows: `Out = X * X`, `dX = 2 X dOut`.
    enum PrivateSquareOp: Operator {
        static let type = "test_private_square"
        static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] { ["Out": [try XCTUnwrap(inputs["X"]?.first)]] }
        static func forward(_ context: OpContext) throws {
            let x = try context.input("X")
            context.setOutput("Out", 0, Kernels.multiply(x, x))
        }
        static func backward(_ context: OpContext) throws {
            guard let d = context.outputGrad("Out") else { return }
            let x = try context.input("X")
            context.addInputGrad("X", 0, Kernels.multiply(Kernels.multiply(x, d), Tensor.filled(2, shape: x.shape)))
        }
    }

    /// Regression: backward looked ops up in `OpRegistry.shared` instead of the executor's registry.
    func testBackwardUsesTheExecutorsRegistry() throws {
        let registry = OpRegistry(builtins: true)
        registry.register(PrivateSquareOp.self)
        let program = Program(vars: [VarDesc(name: "x", shape: [3], persistable: true, trainable: true), VarDesc(name: "sq", shape: [3]),
                                     VarDesc(name: "loss", shape: [1])],
                              ops: [OpDesc(type: PrivateSquareOp.type, inputs: ["X": ["x"]], outputs: ["Out": ["sq"]]),
                                    OpDesc(type: "mean", inputs: ["X": ["sq"]], outputs: ["Out": ["loss"]])],
                              fetches: ["loss"])
        let executor = try Executor(program: program, registry: registry)
        try executor.run(feeds: [:], scope: Scope(["x": Tensor(shape: [3], floats: [1, -2, 3])]), mode: .train)
        assertClose(try executor.backward(loss: "loss")["x"], [2.0 / 3, -4.0 / 3, 2], tol: 1e-6, "d mean(x^2) / dx")
    }
}
