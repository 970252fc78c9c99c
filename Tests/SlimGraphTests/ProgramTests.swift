import SlimTensor
import XCTest
@testable import SlimGraph

/// Test-only ops with just enough shape inference to exercise `verify`.
private enum TestConv: Operator {
    /// Stride 1, no padding: [N, C, H, W] * [O, C, KH, KW] -> [N, O, H-KH+1, W-KW+1].
    static let type = "conv2d"
    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["Input"]?.first, let w = inputs["Filter"]?.first, x.count == 4, w.count == 4 else {
            throw GraphError("conv2d needs 4-d Input and Filter")
        }
        guard x[1] == w[1] else { throw GraphError("Input has \(x[1]) channels, Filter \(w[1])") }
        return ["Output": [[x[0], w[0], x[2] - w[2] + 1, x[3] - w[3] + 1]]]
    }
    static func forward(_ context: OpContext) throws {}
}

private enum TestRelu: Operator {
    static let type = "relu"
    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Out": [inputs["X"]?.first ?? []]]
    }
    static func forward(_ context: OpContext) throws {}
}

/// Shape inference not written yet: verify must skip it.
private enum TestPendingMul: Operator {
    static let type = "mul"
    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        throw GraphError("mul: inferShapes is not implemented yet")
    }
    static func forward(_ context: OpContext) throws {}
}

/// Loss of [N, C] logits and s32 [N, 1] labels; infers only `Loss` (Softmax unchecked).
private enum TestLoss: Operator {
    static let type = "softmax_with_cross_entropy"
    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Loss": [[inputs["Logits"]?.first?.first ?? -1, 1]]]
    }
    static func forward(_ context: OpContext) throws {}
}

final class ProgramTests: XCTestCase {
    private func registry() -> OpRegistry {
        let registry = OpRegistry(builtins: false)
        for op in [TestConv.self, TestRelu.self, TestPendingMul.self, TestLoss.self] as [any Operator.Type] {
            registry.register(op)
        }
        return registry
    }

    /// image -> conv2d -> relu -> mul -> loss(label).
    private func small() -> Program {
        let vars = [
            VarDesc(name: "image", shape: [-1, 1, 4, 4]),
            VarDesc(name: "label", shape: [-1, 1], dtype: .s32),
            VarDesc(name: "w", shape: [2, 1, 3, 3], persistable: true, trainable: true),
            VarDesc(name: "conv", shape: [-1, 2, 2, 2]),
            VarDesc(name: "act", shape: [-1, 2, 2, 2]),
            VarDesc(name: "fc.w", shape: [8, 3], persistable: true, trainable: true),
            VarDesc(name: "logits", shape: [-1, 3]),
            VarDesc(name: "softmax", shape: [-1, 3]),
            VarDesc(name: "loss", shape: [-1, 1]),
        ]
        let ops = [
            OpDesc(type: "conv2d", inputs: ["Input": ["image"], "Filter": ["w"]], outputs: ["Output": ["conv"]],
                   attrs: ["strides": .ints([1, 1]), "groups": .int(1), "padding_algorithm": .string("EXPLICIT")]),
            OpDesc(type: "relu", inputs: ["X": ["conv"]], outputs: ["Out": ["act"]]),
            OpDesc(type: "mul", inputs: ["X": ["act"], "Y": ["fc.w"]], outputs: ["Out": ["logits"]],
                   attrs: ["x_num_col_dims": .int(1), "scale": .float(0.5), "on": .bool(true)]),
            OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": ["logits"], "Label": ["label"]],
                   outputs: ["Softmax": ["softmax"], "Loss": ["loss"]]),
        ]
        return Program(vars: vars, ops: ops, feeds: ["image", "label"], fetches: ["loss"])
    }

    func testTextDumpGolden() {
        let expected = """
        feeds: [image, label]
        fetches: [loss]
        vars:
          image: f32[-1, 1, 4, 4]
          label: s32[-1, 1]
          w: f32[2, 1, 3, 3] persistable trainable
          conv: f32[-1, 2, 2, 2]
          act: f32[-1, 2, 2, 2]
          fc.w: f32[8, 3] persistable trainable
          logits: f32[-1, 3]
          softmax: f32[-1, 3]
          loss: f32[-1, 1]
        ops:
          conv2d(Filter=[w], Input=[image]) -> (Output=[conv]) {groups=1, padding_algorithm="EXPLICIT", strides=[1, 1]}
          relu(X=[conv]) -> (Out=[act])
          mul(X=[act], Y=[fc.w]) -> (Out=[logits]) {on=true, scale=0.5, x_num_col_dims=1}
          softmax_with_cross_entropy(Label=[label], Logits=[logits]) -> (Loss=[loss], Softmax=[softmax])

        """
        XCTAssertEqual(small().textDump(), expected)
    }

    func testVerifyAcceptsAConsistentProgramAndSkipsPendingShapeInference() throws {
        XCTAssertNoThrow(try small().verify(registry: registry()))
    }

    func testVerifyCatchesADanglingVar() {
        var program = small()
        program.ops.swapAt(0, 1)  // relu now reads conv before conv2d writes it
        assertGraphError(["op #0 'relu'", "'conv'", "dangling"]) { try program.verify(registry: registry()) }
        program = small()
        program.ops[2].inputs["Y"] = ["nowhere"]
        assertGraphError(["op #2 'mul'", "undeclared var 'nowhere'"]) { try program.verify(registry: registry()) }
    }

    func testVerifyCatchesAShapeMismatch() {
        var program = small()
        program.update("conv") { $0.shape = [-1, 2, 3, 3] }
        program.update("act") { $0.shape = [-1, 2, 3, 3] }
        assertGraphError(["op #0 'conv2d'", "Output 'conv'", "[-1, 2, 3, 3]", "[-1, 2, 2, 2]"]) {
            try program.verify(registry: registry())
        }
        program = small()
        program.update("act") { $0.shape = [-1, 8] }
        assertGraphError(["op #1 'relu'", "'act'"]) { try program.verify(registry: registry()) }
        program = small()
        program.update("w") { $0.shape = [2, 3, 3, 3] }
        assertGraphError(["op #0 'conv2d'", "shape inference failed", "Filter 3", "Filter=[[2, 3, 3, 3]]"]) {
            try program.verify(registry: registry())
        }
    }

    func testVerifyChecksLabelDType() {
        var program = small()
        program.update("label") { $0.dtype = .f32 }
        assertGraphError(["op #3 'softmax_with_cross_entropy'", "Label 'label' is f32", "s32"]) {
            try program.verify(registry: registry())
        }
    }

    func testVerifyRejectsUnknownOpTypes() {
        var program = small()
        program.ops[1].type = "relu7"
        assertGraphError(["unknown op type 'relu7'", "relu"]) { try program.verify(registry: registry()) }
    }

    func testShapesAgreeTreatsMinusOneAsUnknown() {
        XCTAssertTrue(Program.shapesAgree([-1, 3], [-1, 3]))
        XCTAssertTrue(Program.shapesAgree([-1, 3], [8, 3]))
        XCTAssertFalse(Program.shapesAgree([-1, 3], [-1, 4]))
        XCTAssertFalse(Program.shapesAgree([-1, 3], [-1, 3, 1]))
    }

    func testPruningKeepsExactlyTheInferenceOps() throws {
        let program = ModelFileSamples.classifier()
        let pruned = try program.pruned(feeds: ["image"], fetches: ["fc_0.tmp_2"])
        XCTAssertEqual(pruned.ops.map(\.type), ["conv2d", "relu", "mul", "elementwise_add", "softmax"])
        XCTAssertEqual(pruned.vars.map(\.name), ["image", "conv2d_0.w_0", "conv2d_0.tmp_0", "relu_0.tmp_0", "fc_0.w_0",
                                                 "fc_0.b_0", "fc_0.tmp_0", "fc_0.tmp_1", "fc_0.tmp_2"])
        XCTAssertEqual(pruned.feeds, ["image"])
        XCTAssertEqual(pruned.fetches, ["fc_0.tmp_2"])
        XCTAssertEqual(try pruned.pruned(feeds: ["image"], fetches: ["fc_0.tmp_2"]), pruned, "idempotent")
    }

    func testPruningAtAnIntermediateFeedCutsTheOpsBeforeIt() throws {
        let pruned = try ModelFileSamples.classifier().pruned(feeds: ["relu_0.tmp_0"], fetches: ["fc_0.tmp_1"])
        XCTAssertEqual(pruned.ops.map(\.type), ["mul", "elementwise_add"])
        XCTAssertEqual(Set(pruned.vars.map(\.name)), ["relu_0.tmp_0", "fc_0.w_0", "fc_0.b_0", "fc_0.tmp_0", "fc_0.tmp_1"])
    }

    func testPruningKeepsTheLossBranchWhenFetched() throws {
        let program = ModelFileSamples.classifier()
        let pruned = try program.pruned(feeds: ["image", "label"], fetches: ["mean_0.tmp_0"])
        XCTAssertEqual(pruned.ops.map(\.type), ["conv2d", "relu", "mul", "elementwise_add", "softmax_with_cross_entropy", "mean"])
    }

    func testPruningExplainsBadNames() {
        let program = ModelFileSamples.classifier()
        assertGraphError(["unknown feed 'imgae'", "did you mean 'image'", "[image, label]"]) {
            _ = try program.pruned(feeds: ["imgae"], fetches: ["fc_0.tmp_2"])
        }
        assertGraphError(["unknown fetch 'fc_0.tmp_3'", "'fc_0.tmp_2'"]) {
            _ = try program.pruned(feeds: ["image"], fetches: ["fc_0.tmp_3"])
        }
        assertGraphError(["needs 'label'", "add it to the feeds"]) {
            _ = try program.pruned(feeds: ["image"], fetches: ["mean_0.tmp_0"])
        }
        assertGraphError(["needs 'image'"]) { _ = try program.pruned(feeds: [], fetches: ["fc_0.tmp_2"]) }
        assertGraphError(["at least one fetch"]) { _ = try program.pruned(feeds: ["image"], fetches: []) }
    }

    func testEditDistance() {
        XCTAssertEqual(Program.editDistance("image", "imgae"), 2)
        XCTAssertEqual(Program.editDistance("", "abc"), 3)
        XCTAssertEqual(Program.editDistance("fc_0.tmp_2", "fc_0.tmp_2"), 0)
    }
}

/// Asserts that `body` throws a `GraphError` whose description contains every fragment.
private func assertGraphError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a GraphError containing \(fragments)", file: file, line: line)
    } catch let error as GraphError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected GraphError, got \(error)", file: file, line: line)
    }
}
