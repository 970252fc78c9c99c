import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import XCTest
@testable import SlimCompress

/// The distillers' losses as `DistillationGraph` adds them to a student's program: the total
/// loss is the student's loss plus each distiller's weighted loss, computed by hand here, and its
/// gradient in the student's feature maps matches central finite differences. Removing the
/// losses gives back the student's program exactly.
final class DistillationLossTests: XCTestCase {
    /// A student whose feature maps are trainable vars: `sa` [2, 3, 2, 2], `sb` [2, 2, 2, 2],
    /// `logits` [2, 4]; its loss is `mean(logits)`.
    private func student() -> (Program, Scope) {
        var rng = SeededGenerator(seed: 11)
        var p = Program()
        let shapes = ["sa": [2, 3, 2, 2], "sb": [2, 2, 2, 2], "logits": [2, 4]]
        let scope = Scope()
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) {
            p.declare(VarDesc(name: name, shape: shape, persistable: true, trainable: true))
            scope[name] = random(shape, &rng)
        }
        p.declare(VarDesc(name: "loss", shape: [1]))
        p.ops = [OpDesc(type: "mean", inputs: ["X": ["logits"]], outputs: ["Out": ["loss"]])]
        p.fetches = ["loss"]
        return (p, scope)
    }

    private func random(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in 2 * rng.nextUnitFloat() - 1 })
    }

    /// Teacher feature maps (fed): `teacher_ta` like `sa`, `teacher_tb` like `sb`, `teacher_tl` like `logits`.
    private func teacher() -> (vars: [String: VarDesc], values: [String: Tensor]) {
        var rng = SeededGenerator(seed: 12)
        let shapes = ["ta": [2, 3, 2, 2], "tb": [2, 2, 2, 2], "tl": [2, 4]]
        var vars: [String: VarDesc] = [:], values: [String: Tensor] = [:]
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) {
            vars["teacher_" + name] = VarDesc(name: name, shape: [-1] + shape.dropFirst())
            values["teacher_" + name] = random(shape, &rng)
        }
        return (vars, values)
    }

    private func distiller(_ kind: DistillerConfig.Kind, weight: Double) -> DistillerConfig {
        var d = DistillerConfig(name: "d", kind: kind)
        d.distillationLossWeight = weight
        switch kind {
        case .l2: (d.teacherFeatureMap, d.studentFeatureMap) = ("teacher_ta", "sa")
        case .fsp: (d.teacherPairs, d.studentPairs) = ([["teacher_ta", "teacher_tb"]], [["sa", "sb"]])
        case .softLabel: (d.teacherFeatureMap, d.studentFeatureMap, d.teacherTemperature, d.studentTemperature) = ("teacher_tl", "logits", 2, 3)
        }
        return d
    }

    /// Runs the distillation program; returns the total loss, its gradients and a loss function of the scope.
    private func run(_ d: DistillerConfig) throws -> (loss: Float, grads: [String: Tensor], scope: Scope, lossOf: () throws -> Float) {
        let (p, scope) = student(), t = teacher()
        let merged = try DistillationGraph(distillers: [d], loss: "loss", teacherVars: t.vars).apply(to: p)
        let executor = try Executor(program: merged)
        let lossOf = { try XCTUnwrap(executor.run(feeds: t.values, scope: scope, mode: .train, fetches: ["loss"])["loss"]).floats[0] }
        let loss = try lossOf()
        return (loss, try executor.backward(loss: "loss"), scope, lossOf)
    }

    private func values(_ scope: Scope, _ name: String) throws -> [Float] { try XCTUnwrap(scope[name]).floats }

    /// The gradient of every student var against `(L(v + eps) - L(v - eps)) / 2 eps`.
    private func checkGradients(_ r: (loss: Float, grads: [String: Tensor], scope: Scope, lossOf: () throws -> Float), _ names: [String],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let eps: Float = 1e-2
        for name in names {
            let g = try XCTUnwrap(r.grads[name], "no gradient for \(name)", file: file, line: line).floats
            let original = try XCTUnwrap(r.scope[name])
            for i in 0..<original.count {
                var plus = original, minus = original
                plus.withUnsafeMutableFloats { $0[i] += eps }
                minus.withUnsafeMutableFloats { $0[i] -= eps }
                r.scope[name] = plus
                let up = try r.lossOf()
                r.scope[name] = minus
                let down = try r.lossOf()
                r.scope[name] = original
                let numeric = (up - down) / (2 * eps)
                XCTAssertEqual(g[i], numeric, accuracy: 2e-2 * max(abs(numeric), 0.05), "\(name)[\(i)]", file: file, line: line)
            }
        }
    }

    func testL2LossIsTheWeightedMeanSquaredDifference() throws {
        let r = try run(distiller(.l2, weight: 0.5))
        let s = try values(r.scope, "sa"), t = try XCTUnwrap(teacher().values["teacher_ta"]).floats
        let l2 = zip(s, t).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(s.count)
        let studentLoss = try values(r.scope, "logits").reduce(0, +) / 8
        XCTAssertEqual(r.loss, studentLoss + 0.5 * l2, accuracy: 1e-5)
        try checkGradients(r, ["sa", "logits"])
    }

    /// FSP(a, b)[n, i, j] = sum_hw a[n, i, hw] b[n, j, hw] / HW; loss = w * mean((FSP_s - FSP_t)^2).
    func testFSPLossComparesTheGramMatricesOfThePairs() throws {
        let r = try run(distiller(.fsp, weight: 2))
        func fsp(_ a: [Float], _ b: [Float], c1: Int, c2: Int) -> [Float] {
            var out: [Float] = []
            for n in 0..<2 { for i in 0..<c1 { for j in 0..<c2 {
                out.append((0..<4).map { a[(n * c1 + i) * 4 + $0] * b[(n * c2 + j) * 4 + $0] }.reduce(0, +) / 4)
            } } }
            return out
        }
        let tv = teacher().values
        let fs = fsp(try values(r.scope, "sa"), try values(r.scope, "sb"), c1: 3, c2: 2)
        let ft = fsp(try XCTUnwrap(tv["teacher_ta"]).floats, try XCTUnwrap(tv["teacher_tb"]).floats, c1: 3, c2: 2)
        let l = zip(fs, ft).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(fs.count)
        let studentLoss = try values(r.scope, "logits").reduce(0, +) / 8
        XCTAssertEqual(r.loss, studentLoss + 2 * l, accuracy: 1e-5)
        try checkGradients(r, ["sa", "sb"])
    }

    /// loss = w * mean_n(-sum_c softmax(t / Tt)_c log softmax(s / Ts)_c).
    func testSoftLabelLossIsTheCrossEntropyOfTheTemperedSoftmaxes() throws {
        let r = try run(distiller(.softLabel, weight: 0.75))
        func softmax(_ row: ArraySlice<Float>, _ temperature: Float) -> [Float] {
            let e = row.map { expf($0 / temperature) }, sum = e.reduce(0, +)
            return e.map { $0 / sum }
        }
        let s = try values(r.scope, "logits"), t = try XCTUnwrap(teacher().values["teacher_tl"]).floats
        var ce: Float = 0
        for n in 0..<2 {
            let p = softmax(s[(n * 4)..<(n * 4 + 4)], 3), q = softmax(t[(n * 4)..<(n * 4 + 4)], 2)
            ce -= zip(q, p).map { $0 * logf($1) }.reduce(0, +)
        }
        XCTAssertEqual(r.loss, s.reduce(0, +) / 8 + 0.75 * ce / 2, accuracy: 1e-5)
        try checkGradients(r, ["logits"])
    }

    func testRemovingTheLossesGivesBackTheStudentsProgram() throws {
        let (p, _) = student()
        let merged = try DistillationGraph(distillers: [distiller(.l2, weight: 1), distiller(.fsp, weight: 1)], loss: "loss",
                                           teacherVars: teacher().vars).apply(to: p)
        XCTAssertNotEqual(merged, p)
        XCTAssertTrue(merged.feeds.contains("teacher_ta"))
        XCTAssertEqual(DistillationGraph.remove(from: merged, loss: "loss"), p)
    }

    func testAStudentFeatureMapThatIsNotAVarIsNamed() throws {
        var d = distiller(.l2, weight: 1)
        d.studentFeatureMap = "sx"
        XCTAssertThrowsError(try DistillationGraph(distillers: [d], loss: "loss", teacherVars: teacher().vars).apply(to: student().0)) { error in
            XCTAssertTrue("\(error)".contains("student feature map 'sx'") && "\(error)".contains("'sa'"), "\(error)")
        }
        var mismatched = distiller(.l2, weight: 1)
        mismatched.studentFeatureMap = "sb"
        XCTAssertThrowsError(try DistillationGraph(distillers: [mismatched], loss: "loss", teacherVars: teacher().vars).apply(to: student().0)) { error in
            XCTAssertTrue("\(error)".contains("differ in shape"), "\(error)")
        }
    }
}
