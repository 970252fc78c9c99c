import SlimConfig
import SlimGraph

/// Adds the distillers' losses to a student's program and takes them out again (PaddleSlim 1.x's
/// merge of the teacher and the distiller passes, with the teacher outside the program):
///
///     teacher_<name> feeds   the teacher's feature maps (shapes from the teacher), fed each step
///     <loss producer>        now writes `distill_student_loss`
///     distillers' ops        each a [1] loss, already times distillation_loss_weight
///     elementwise_add        loss = distill_student_loss + sum of the distillers' losses
///
/// so the model's loss var keeps its name and `TrainingSession` differentiates the total. Every
/// var it adds is named `distill_*` or `teacher_*`; `remove` restores the student's program
/// (ops and vars of the student, quantization ops inserted meanwhile included, untouched).
struct DistillationGraph {
    static let studentLoss = "distill_student_loss"
    let distillers: [DistillerConfig]
    /// The model's loss var.
    let loss: String
    /// The teacher vars the distillers read (their names canonical: `teacher_<name>`) -> the
    /// teacher's declarations.
    let teacherVars: [String: VarDesc]

    /// The program with the distillation losses.
    /// - Throws: `GraphError` naming a student feature map that is not a var of the student, or
    ///   two feature maps whose shapes do not fit the distiller.
    func apply(to student: Program) throws -> Program {
        guard !distillers.isEmpty else { return student }
        var b = LossBuilder(program: student)
        for (name, v) in teacherVars.sorted(by: { $0.key < $1.key }) {
            b.program.declare(VarDesc(name: name, shape: [-1] + v.shape.dropFirst(), dtype: v.dtype))
            b.program.feeds.append(name)
        }
        var losses: [String] = []
        for d in distillers { losses.append(try distillerLoss(d, &b)) }
        guard let producer = b.program.ops.lastIndex(where: { $0.outputNames.contains(loss) }) else {
            throw GraphError("the student's loss '\(loss)' is not computed by any op; distillation adds to it")
        }
        b.program.declare(VarDesc(name: Self.studentLoss, shape: b.program.variable(loss)?.shape ?? [1]))
        for i in producer..<b.program.ops.count { b.program.ops[i].rename(loss, to: Self.studentLoss) }
        var total = Self.studentLoss
        for (k, l) in losses.enumerated() {
            total = b.add(total, l, out: k == losses.count - 1 ? loss : nil)
        }
        return b.program
    }

    /// The program without the distillation ops, vars and feeds.
    static func remove(from program: Program, loss: String) -> Program {
        var p = program
        func ours(_ name: String) -> Bool { name.hasPrefix("distill_") || name.hasPrefix(TeacherModel.prefix) && p.feeds.contains(name) }
        let added = Set(p.vars.map(\.name).filter(ours)), lossTerms = added.subtracting([studentLoss])
        p.ops.removeAll { op in
            op.outputNames.allSatisfy(lossTerms.contains) || (op.outputNames == [loss] && op.inputNames.contains(where: added.contains))
        }
        for i in p.ops.indices { p.ops[i].rename(studentLoss, to: loss) }
        p.feeds.removeAll(where: added.contains)
        p.removeVars(added)
        return p
    }

    private func distillerLoss(_ d: DistillerConfig, _ b: inout LossBuilder) throws -> String {
        for name in d.studentVars where !b.program.has(name) {
            throw GraphError("distiller '\(d.name)': student feature map '\(name)' is not a var of the student model",
                             hints: Suggestion.note(for: name, in: b.program.vars.map(\.name)).map { [$0] } ?? [])
        }
        switch d.kind {
        case .l2:
            let t = d.teacherFeatureMap
            try b.requireSameShape(d.studentFeatureMap, t, distiller: d.name)
            let diff = b.op("elementwise_sub", ["X": d.studentFeatureMap, "Y": t], shape: b.shape(d.studentFeatureMap))
            return b.scale(b.meanAll(b.op("square", ["X": diff], shape: b.shape(diff))), d.distillationLossWeight)
        case .fsp:
            var sum: String?
            for (s, t) in zip(d.studentPairs, d.teacherPairs) {
                let sf = try b.fsp(s[0], s[1], distiller: d.name), tf = try b.fsp(t[0], t[1], distiller: d.name)
                try b.requireSameShape(sf, tf, distiller: d.name, what: "FSP matrices of \(s) and \(t)")
                let diff = b.op("elementwise_sub", ["X": sf, "Y": tf], shape: b.shape(sf))
                let l = b.meanAll(b.op("square", ["X": diff], shape: b.shape(diff)))
                sum = sum.map { b.add($0, l) } ?? l
            }
            return b.scale(sum ?? "", d.distillationLossWeight)
        case .softLabel:
            let t = d.teacherFeatureMap
            try b.requireSameShape(d.studentFeatureMap, t, distiller: d.name)
            let s = b.op("softmax", ["X": b.scale(d.studentFeatureMap, 1 / d.studentTemperature)], shape: b.shape(d.studentFeatureMap))
            let q = b.op("softmax", ["X": b.scale(t, 1 / d.teacherTemperature)], shape: b.shape(t))
            let ce = b.op("cross_entropy", ["X": s, "Label": q], out: "Y", shape: b.shape(s).dropLast() + [1], attrs: ["soft_label": .bool(true)])
            return b.scale(b.meanAll(ce), d.distillationLossWeight)
        }
    }
}

extension OpDesc {
    /// Replaces `old` by `new` in every input and output slot.
    mutating func rename(_ old: String, to new: String) {
        inputs = inputs.mapValues { $0.map { $0 == old ? new : $0 } }
        outputs = outputs.mapValues { $0.map { $0 == old ? new : $0 } }
    }
}
