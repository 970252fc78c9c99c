import XCTest
@testable import SlimGraph
import SlimTensor

/// A test-only loss: `Out` [1] `= sum_i sum(X_i * W_i)`, so the upstream gradient of each `X_i`
/// is exactly the (random) `W_i`; backward `dX_i = dOut * W_i`.
enum WeightedSumTestOp: Operator {
    static let type = "test_weighted_sum"

    static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] { ["Out": [[1]]] }

    static func forward(_ context: OpContext) throws {
        let xs = try context.inputs("X"), ws = try context.inputs("W")
        let total = zip(xs, ws).reduce(Float(0)) { sum, pair in sum + zip(pair.0.floats, pair.1.floats).reduce(0) { $0 + $1.0 * $1.1 } }
        context.setOutput("Out", 0, Tensor(shape: [1], floats: [total]))
    }

    static func backward(_ context: OpContext) throws {
        guard let d = context.outputGrad("Out")?.floats[0] else { return }
        for (i, w) in try context.inputs("W").enumerated() {
            context.addInputGrad("X", i, Tensor(shape: w.shape, floats: w.floats.map { $0 * d }))
        }
    }
}

/// The result of running one op through a Program and an Executor.
struct OpRun {
    var outputs: [String: Tensor]
    var grads: [String: Tensor]
    var scope: Scope
}

/// Runs one op in a tiny program: its inputs are persistable vars (trainable when they are f32 and
/// not listed in `frozen`) or feeds declared with a `-1` batch; its outputs are declared with the
/// shapes the op's `inferShapes` gives; `upstream` (output var -> dOut) adds a weighted-sum loss
/// whose backward hands each output exactly that gradient. `fetches` defaults to every output.
enum OpHarness {
    static func run(_ op: OpDesc, values: [String: Tensor], feeds: Set<String> = [], frozen: Set<String> = [],
                    upstream: [String: Tensor] = [:], mode: ExecutionMode = .train, seed: UInt64 = 0, fetches: [String]? = nil,
                    file: StaticString = #filePath, line: UInt = #line) throws -> OpRun {
        _ = registered
        let impl = try OpRegistry.shared.op(op.type)
        var program = Program()
        for (name, t) in values.sorted(by: { $0.key < $1.key }) {
            if feeds.contains(name) {
                program.declare(VarDesc(name: name, shape: [-1] + t.shape.dropFirst(), dtype: t.dtype))
            } else {
                program.declare(VarDesc(name: name, shape: t.shape, dtype: t.dtype, persistable: true,
                                        trainable: t.dtype == .f32 && !frozen.contains(name)))
            }
        }
        let inputShapes = try op.inputs.mapValues { try $0.map { try XCTUnwrap(program.variable($0), "\(op.type): no value for input \($0)", file: file, line: line).shape } }
        let inferred = try impl.inferShapes(op, inputs: inputShapes)
        var declared: [String: [Int]] = [:]
        for (slot, names) in op.outputs {
            for (i, name) in names.enumerated() where !program.has(name) {
                let shape = inferred[slot]?[i] ?? []
                declared[name] = shape
                program.declare(VarDesc(name: name, shape: shape, dtype: outputDType(op.type, slot)))
            }
        }
        program.ops = [op]
        program.feeds = feeds.sorted()
        program.fetches = fetches ?? op.outputNames
        if !upstream.isEmpty { addLoss(&program, upstream: upstream) }
        let scope = Scope(values.filter { !feeds.contains($0.key) })
        for (name, w) in upstream { scope["test.w." + name] = w }
        let executor = try Executor(program: program, seed: seed)
        let outputs = try executor.run(feeds: values.filter { feeds.contains($0.key) }, scope: scope, mode: mode)
        for (name, shape) in declared {
            guard let v = outputs[name] else { continue }
            let ok = v.shape.count == shape.count && zip(v.shape, shape).allSatisfy { $1 == -1 || $0 == $1 }
            XCTAssertTrue(ok, "\(op.type): \(name) is \(v.shape), inferShapes said \(shape)", file: file, line: line)
        }
        let grads = mode == .train && !upstream.isEmpty ? try executor.backward(loss: "test.loss") : [:]
        return OpRun(outputs: outputs, grads: grads, scope: scope)
    }

    private static func addLoss(_ program: inout Program, upstream: [String: Tensor]) {
        let names = upstream.keys.sorted()
        for (name, w) in upstream { program.declare(VarDesc(name: "test.w." + name, shape: w.shape, persistable: true)) }
        program.declare(VarDesc(name: "test.loss", shape: [1]))
        program.ops.append(OpDesc(type: WeightedSumTestOp.type, inputs: ["X": names, "W": names.map { "test.w." + $0 }], outputs: ["Out": ["test.loss"]]))
        program.fetches.append("test.loss")
    }

    private static func outputDType(_ type: String, _ slot: String) -> DType {
        switch (type, slot) {
        case ("accuracy", "Correct"), ("accuracy", "Total"): return .s32
        default: return .f32
        }
    }

    /// Registers the test loss op (idempotent).
    static let registered: Void = OpRegistry.shared.register(WeightedSumTestOp.self)
}
