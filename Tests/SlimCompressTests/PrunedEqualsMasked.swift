import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// A pruned model computes what the unpruned model computes with the removed channels masked out.
extension XCTestCase {
    /// Prunes half the channels of every group matching `pattern` by L1 norm and compares
    /// `fetches` (default: the first output) with the unpruned model whose removed channels are
    /// zeroed in every axis-0 member (filters, batch norm terms, biases, fc rows; behind a concat
    /// at the member's offset): those channels then contribute exactly nothing downstream.
    /// Returns the pruned program and tensors.
    @discardableResult
    func checkPrunedEqualsMasked(_ m: BuiltModel, pattern: String, fetches: [String]? = nil,
                                 file: StaticString = #filePath, line: UInt = #line) throws -> (Program, [String: Tensor]) {
        var params = m.params
        var g = SeededGenerator(seed: 5)
        for (name, t) in params where m.program.variable(name)?.trainable == true {   // random scales and offsets, so masking matters
            params[name] = Tensor(shape: t.shape, floats: t.floats.map { $0 + Float.random(in: -0.5...0.5, using: &g) * 0.1 })
        }
        let target = try PruneTarget(program: m.program, interface: m.interface, pattern: pattern)
        var selection: [String: [Int]] = [:]
        var masked = params
        for grp in target.groups {
            let keep = FilterPruner.keptChannels(grp, removing: grp.channels / 2, params: params)
            selection[grp.key] = keep
            let removed = Set(0..<grp.channels).subtracting(keep)
            for member in grp.members where member.axis == 0 {
                guard let t = masked[member.name] else { continue }
                let per = t.count / t.shape[0]
                var v = t.floats
                for c in removed {
                    for i in ((member.offset + c * member.block) * per)..<((member.offset + (c + 1) * member.block) * per) { v[i] = 0 }
                }
                masked[member.name] = Tensor(shape: t.shape, floats: v)
            }
        }
        var tensors = params, state: [String: Tensor] = [:]
        let pruned = target.pruner.prune(m.program, keeping: selection, tensors: &tensors, state: &state)
        try pruned.verify()
        let outs = fetches ?? [m.interface.outputVars[0]]
        let shape = m.interface.feeds[0].shape.map { $0 < 0 ? 2 : $0 }
        var gen = SeededGenerator(seed: 9)
        let image = Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &gen) })
        let a = try Executor(program: m.program.pruned(feeds: [m.image], fetches: outs))
            .run(feeds: [m.image: image], scope: Scope(masked), mode: .eval, fetches: outs)
        let b = try Executor(program: pruned.pruned(feeds: [m.image], fetches: outs))
            .run(feeds: [m.image: image], scope: Scope(tensors), mode: .eval, fetches: outs)
        for out in outs {
            let x = try XCTUnwrap(a[out], file: file, line: line).floats, y = try XCTUnwrap(b[out], file: file, line: line).floats
            XCTAssertEqual(x.count, y.count, out, file: file, line: line)
            let worst = zip(x, y).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(pattern): \(out)", file: file, line: line)
            XCTAssertGreaterThan(x.map(abs).max() ?? 0, 1e-3, "\(out) is not all zeros", file: file, line: line)
        }
        return (pruned, tensors)
    }
}
