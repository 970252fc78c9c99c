import XCTest
@testable import SlimGraph
import SlimTensor

/// The executor's op fusion (conv + per-channel bias add, batch norm + relu): which pairs fuse, and
/// fused runs computing what the ops as written compute (forward, gradients, running statistics).
final class ExecutorFusionTests: XCTestCase {
    typealias Sketch = GradientCheckTests.Sketch

    /// conv2d + bias -> batch_norm -> relu -> depthwise_conv2d + bias -> relu -> mean.
    func network(frozenStatistics: Bool = false) throws -> Sketch {
        var s = Sketch()
        s.program.declare(VarDesc(name: "image", shape: [-1, 3, 6, 6]))
        s.program.feeds = ["image"]
        s.parameter("conv.w", [8, 3, 3, 3])
        s.parameter("conv.b", [8])
        s.parameter("bn.scale", [8], 0.5, 1.5)
        s.parameter("bn.bias", [8], -0.2, 0.2)
        s.parameter("bn.mean", [8], trainable: false, -0.1, 0.1)
        s.parameter("bn.var", [8], trainable: false, 0.5, 1.5)
        s.parameter("dw.w", [8, 1, 3, 3])
        s.parameter("dw.b", [8])
        try s.op("conv2d", ["Input": ["image"], "Filter": ["conv.w"]], ["Output": ["conv.out"]], ["paddings": .ints([1, 1])])
        try s.op("elementwise_add", ["X": ["conv.out"], "Y": ["conv.b"]], ["Out": ["conv.biased"]], ["axis": .int(1)])
        try s.op("batch_norm", ["X": ["conv.biased"], "Scale": ["bn.scale"], "Bias": ["bn.bias"], "Mean": ["bn.mean"], "Variance": ["bn.var"]],
                 ["Y": ["bn.out"], "MeanOut": ["bn.mean"], "VarianceOut": ["bn.var"], "SavedMean": ["bn.saved_mean"], "SavedVariance": ["bn.saved_var"]],
                 ["use_global_stats": .bool(frozenStatistics)])
        try s.op("relu", ["X": ["bn.out"]], ["Out": ["relu.out"]])
        try s.op("depthwise_conv2d", ["Input": ["relu.out"], "Filter": ["dw.w"]], ["Output": ["dw.out"]], ["paddings": .ints([1, 1]), "groups": .int(8)])
        try s.op("elementwise_add", ["X": ["dw.out"], "Y": ["dw.b"]], ["Out": ["dw.biased"]], ["axis": .int(1)])
        try s.op("relu", ["X": ["dw.biased"]], ["Out": ["dw.relu"]])
        try s.op("mean", ["X": ["dw.relu"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        return s
    }

    func testConvBiasAndBatchNormReluPairsFuse() throws {
        let s = try network()
        let fusion = OpFusion(s.program, registry: .shared)
        XCTAssertEqual(fusion.ops.map(\.type), ["conv2d", "batch_norm", "depthwise_conv2d", "relu", "mean"])
        XCTAssertEqual(fusion.removed, ["conv.out", "bn.out", "dw.out"])
        XCTAssertEqual(fusion.ops[0].inputs["Bias"], ["conv.b"])
        XCTAssertEqual(fusion.ops[0].outputs["Output"], ["conv.biased"])
        XCTAssertEqual(fusion.ops[1].bool("fuse_with_relu", default: false), true)
        XCTAssertEqual(fusion.ops[1].outputs["Y"], ["relu.out"])
    }

    func testPairsWithAnotherReaderOrAFetchOrAnotherAxisStayApart() throws {
        var s = try network()
        s.program.fetches = ["loss", "bn.out"]
        try s.op("relu", ["X": ["conv.out"]], ["Out": ["conv.relu"]])
        s.program.ops[5].attrs["axis"] = .int(-1)
        let fusion = OpFusion(s.program, registry: .shared)
        XCTAssertEqual(fusion.ops.count, s.program.ops.count)
        XCTAssertTrue(fusion.removed.isEmpty)
    }

    /// Loss, gradients and running statistics of one train step, fused (fetching the loss) or as
    /// written (also fetching a var between fused ops).
    func trainStep(_ s: Sketch, image: Tensor, fused: Bool) throws -> [String: Tensor] {
        let executor = try Executor(program: s.program)
        let scope = Scope(s.scope.tensors)
        let fetched = try executor.run(feeds: ["image": image], scope: scope, mode: .train, fetches: fused ? ["loss"] : ["loss", "conv.out"])
        var result = try executor.backward(loss: "loss")
        result["loss"] = fetched["loss"]
        result["bn.mean"] = scope["bn.mean"]
        result["bn.var"] = scope["bn.var"]
        let eval = try executor.run(feeds: ["image": image], scope: scope, mode: .eval, fetches: fused ? ["dw.relu"] : ["dw.relu", "bn.out"])
        result["eval"] = eval["dw.relu"]
        return result
    }

    func testFusedRunsMatchTheOpsAsWritten() throws {
        for frozen in [false, true] {
            let s = try network(frozenStatistics: frozen)
            var rng = SeededGenerator(seed: 5)
            let image = OpTestValues.random([4, 3, 6, 6], &rng, -1, 1)
            let fused = try trainStep(s, image: image, fused: true), written = try trainStep(s, image: image, fused: false)
            XCTAssertEqual(Set(fused.keys), Set(written.keys))
            for (name, value) in written {
                let (a, b) = (try XCTUnwrap(fused[name], name).floats, value.floats)
                XCTAssertEqual(a.count, b.count, name)
                let worst = zip(a, b).map { abs($0 - $1) / max(1e-2, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "\(name) (frozen statistics: \(frozen))")
            }
        }
    }
}
