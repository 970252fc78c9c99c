import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Runs one op in a one-op program: `feeds` (examples fixing rank and dtype, any sizes) are fed,
/// `state` lives in the scope (persistable).
struct OpHarness {
    var op: OpDesc
    var program: Program
    var scope: Scope
    let executor: Executor

    /// - Parameters:
    ///   - trainable: state vars that are trainable (for gradient tests).
    init(_ op: OpDesc, feeds: [String: Tensor] = [:], state: [String: Tensor] = [:], trainable: Set<String> = []) throws {
        SlimQuant.registerOps()
        var vars: [VarDesc] = []
        for (name, t) in feeds.sorted(by: { $0.key < $1.key }) { vars.append(VarDesc(name: name, shape: t.shape.map { _ in -1 }, dtype: t.dtype)) }
        for (name, t) in state.sorted(by: { $0.key < $1.key }) {
            vars.append(VarDesc(name: name, shape: t.shape, dtype: t.dtype, persistable: true, trainable: trainable.contains(name)))
        }
        let declared = Dictionary(uniqueKeysWithValues: vars.map { ($0.name, $0.shape) })
        let inferred = try OpRegistry.shared.op(op.type).inferShapes(op, inputs: op.inputs.mapValues { $0.map { declared[$0] ?? [] } })
        for (slot, names) in op.outputs.sorted(by: { $0.key < $1.key }) {
            for (k, name) in names.enumerated() where declared[name] == nil {
                vars.append(VarDesc(name: name, shape: inferred[slot]?[k] ?? [-1]))
            }
        }
        self.op = op
        program = Program(vars: vars, ops: [op], feeds: feeds.keys.sorted(), fetches: op.outputNames)
        scope = Scope(state)
        executor = try Executor(program: program)
    }

    /// Runs the op and returns every output.
    func run(_ feeds: [String: Tensor] = [:], mode: ExecutionMode = .train) throws -> [String: Tensor] {
        try executor.run(feeds: feeds, scope: scope, mode: mode)
    }
}

func floats(_ values: [Float], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], floats: values) }

func XCTAssertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "counts differ", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= tolerance * max(1, abs(y))) {
        XCTFail("element \(i): \(x) vs \(y)", file: file, line: line)
        return
    }
}
