import XCTest
@testable import SlimGraph
import SlimTensor

/// Backward hands each op the gradient of a var that op alone wrote, and keeps no other reference
/// to it (nor to the gradients earlier ops produced), so the op may write its input gradient over
/// those bytes; a var written by two ops keeps its gradient shared.
final class ExecutorGradientHandoverTests: XCTestCase {
    /// `Out = X` (and `Extra = X` when given); backward passes `dOut` on and records, per output
    /// var, whether it held `dOut`'s bytes alone (`Tensor.updateElementsInPlace` with a transform
    /// that changes nothing).
    enum GradientProbeOp: Operator {
        static let type = "test_gradient_probe"
        nonisolated(unsafe) static var heldAlone: [String: Bool] = [:]

        static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
            let x = try XCTUnwrap(inputs["X"]?.first)
            return ["Out": [x], "Extra": [x]]
        }
        static func forward(_ context: OpContext) throws {
            context.setOutput("Out", 0, try context.input("X"))
            context.setOutput("Extra", 0, try context.input("X"))
        }
        static func backward(_ context: OpContext) throws {
            guard var g = context.takeOutputGrad("Out"), let out = context.op.output("Out") else { return }
            heldAlone[out] = g.updateElementsInPlace(with: try context.input("X")) { _, _ in }
            context.addInputGrad("X", 0, g)
        }
    }

    func run(_ ops: [OpDesc], vars: [String]) throws -> [String: Tensor] {
        let registry = OpRegistry()
        registry.register(GradientProbeOp.self)
        var program = Program()
        program.declare(VarDesc(name: "w", shape: [2, 3], persistable: true, trainable: true))
        for name in vars { program.declare(VarDesc(name: name, shape: [2, 3])) }
        program.declare(VarDesc(name: "loss", shape: [1]))
        program.ops = ops + [OpDesc(type: "mean", inputs: ["X": [vars.last ?? "w"]], outputs: ["Out": ["loss"]])]
        program.fetches = ["loss"]
        let executor = try Executor(program: program, registry: registry)
        GradientProbeOp.heldAlone = [:]
        try executor.run(feeds: [:], scope: Scope(["w": Tensor.filled(0.5, shape: [2, 3])]), mode: .train)
        return try executor.backward(loss: "loss")
    }

    func probe(_ x: String, _ out: String) -> OpDesc { OpDesc(type: GradientProbeOp.type, inputs: ["X": [x]], outputs: ["Out": [out]]) }

    func testGradientOfAVarWrittenOnceIsHeldByItsWriterAlone() throws {
        let grads = try run([probe("w", "a"), probe("a", "b")], vars: ["a", "b"])
        XCTAssertEqual(GradientProbeOp.heldAlone, ["a": true, "b": true])
        XCTAssertEqual(try XCTUnwrap(grads["w"]).floats, [Float](repeating: 1.0 / 6, count: 6))
    }

    func testGradientOfAVarWrittenTwiceStaysShared() throws {
        let first = OpDesc(type: GradientProbeOp.type, inputs: ["X": ["w"]], outputs: ["Out": ["b"], "Extra": ["c"]])
        let grads = try run([first, probe("c", "b")], vars: ["c", "b"])
        XCTAssertEqual(GradientProbeOp.heldAlone["b"], false, "b has two writers: both read its gradient")
        XCTAssertEqual(try XCTUnwrap(grads["w"]).floats.count, 6)
    }
}
