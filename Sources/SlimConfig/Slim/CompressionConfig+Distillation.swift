extension ModuleRegistry {
    /// Distiller classes a slim YAML's `distillers:` may name in `class:`.
    static let distillerClasses = DistillerConfig.Kind.allCases.map(\.rawValue)

    static let distillation: [ModuleSchema] = [
        ModuleSchema("DistillationStrategy", "Knowledge distillation (PaddleSlim 1.x): the distillers' losses are added to the student's loss in epochs start_epoch ..< end_epoch, the teacher running forward only.", [
            OptionSchema("distillers", .list(.string), nil, required: true, "Names of the distillers to apply, from `distillers:`."),
            OptionSchema("start_epoch", .int, "0", "First epoch with the distillation losses."),
            OptionSchema("end_epoch", .int, "0", "Epoch after the last one with them (exclusive): plain fine-tuning follows."),
            OptionSchema("teacher_model_dir", .string, nil, "The teacher: a model directory as `slim eval --model_path` reads it (slim's; its vars are named teacher_<name> in the distillers). Give it or teacher_model_config."),
            OptionSchema("teacher_model_config", .string, nil, "The teacher as a model YAML (as `slim train -c` takes it), built for the student's pictures and run in eval mode; with teacher_weights. Instead of teacher_model_dir (slim's)."),
            OptionSchema("teacher_weights", .string, nil, "With teacher_model_config: the model directory of its trained weights, as pretrain_weights takes them (e.g. output/<name>/best or a checkpoint's eval_model); all of the inference model's must be there."),
        ]),
        ModuleSchema("L2Distiller", "Loss: mean((student - teacher)^2) of two feature maps of the same shape, times distillation_loss_weight.", [
            OptionSchema("teacher_feature_map", .string, nil, required: true, "The teacher's var, as teacher_<name>."),
            OptionSchema("student_feature_map", .string, nil, required: true, "The student's var."),
            OptionSchema("distillation_loss_weight", .float, "1", "Factor of the loss."),
        ]),
        ModuleSchema("FSPDistiller", "Loss: per pair, mean((FSP(student pair) - FSP(teacher pair))^2) with FSP(a, b) = a·bᵀ/(H·W) per sample; summed over pairs, times distillation_loss_weight.", [
            OptionSchema("teacher_pairs", .list(.list(.string)), nil, required: true, "Pairs of teacher vars of the same spatial size, as teacher_<name>."),
            OptionSchema("student_pairs", .list(.list(.string)), nil, required: true, "Pairs of student vars of the same spatial size, as many as teacher_pairs, with the same channels."),
            OptionSchema("distillation_loss_weight", .float, "1", "Factor of the loss."),
        ]),
        ModuleSchema("SoftLabelDistiller", "Loss: mean over the batch of the cross entropy between softmax(teacher / teacher_temperature) and softmax(student / student_temperature), times distillation_loss_weight.", [
            OptionSchema("teacher_feature_map", .string, nil, required: true, "The teacher's logits, as teacher_<name>."),
            OptionSchema("student_feature_map", .string, nil, required: true, "The student's logits."),
            OptionSchema("teacher_temperature", .float, "1.0", "Temperature of the teacher's softmax (> 0)."),
            OptionSchema("student_temperature", .float, "1.0", "Temperature of the student's softmax (> 0)."),
            OptionSchema("distillation_loss_weight", .float, "1", "Factor of the loss."),
        ]),
    ]
}

extension SchemaValidator {
    /// The `distillers:` section: every entry that checks, by name, and every name defined.
    mutating func distillers(_ section: Node?) -> (parsed: [String: DistillerConfig], defined: [String]) {
        guard let section, section.isMapping || section.scalarValue != .null else { return ([:], []) }
        guard section.isMapping, let entries = section.entries else {
            report("distillers must be a mapping of names to distillers, found \(section.kindDescription)", at: section.mark)
            return ([:], [])
        }
        var parsed: [String: DistillerConfig] = [:], defined: [String] = []
        for entry in entries {
            guard let name = entry.key.text else { continue }
            defined.append(name)
            if let d = distiller(named: name, entry.value) { parsed[name] = d }
        }
        return (parsed, defined)
    }

    private mutating func distiller(named name: String, _ node: Node) -> DistillerConfig? {
        let classes = ModuleRegistry.distillerClasses
        guard node.isMapping, let classNode = node["class"], let cls = classNode.text else {
            report("distiller '\(name)' needs 'class:' (one of \(classes.joined(separator: ", ")))", at: node.mark)
            return nil
        }
        guard let kind = DistillerConfig.Kind(rawValue: cls), let schema = registry.module(cls) else {
            report("unknown distiller class '\(cls)'", at: classNode.mark,
                   notes: (Suggestion.note(for: cls, in: classes).map { [$0] } ?? []) + ["valid: \(classes.joined(separator: ", "))"])
            return nil
        }
        let before = diagnostics.count
        check(node, module: schema, extraKeys: ["class"])
        guard diagnostics.count == before else { return nil }
        var d = DistillerConfig(name: name, kind: kind)
        d.teacherFeatureMap = node["teacher_feature_map"]?.text ?? ""
        d.studentFeatureMap = node["student_feature_map"]?.text ?? ""
        d.teacherPairs = node["teacher_pairs"]?.items?.map { $0.items?.compactMap(\.text) ?? [] } ?? []
        d.studentPairs = node["student_pairs"]?.items?.map { $0.items?.compactMap(\.text) ?? [] } ?? []
        d.distillationLossWeight = double(node["distillation_loss_weight"]) ?? 1
        d.teacherTemperature = double(node["teacher_temperature"]) ?? 1
        d.studentTemperature = double(node["student_temperature"]) ?? 1
        for key in ["teacher_temperature", "student_temperature"] where (double(node[key]) ?? 1) <= 0 {
            report("\(key) must be > 0", at: node[key]?.mark ?? node.mark)
        }
        if kind == .fsp { checkPairs(node) }
        return diagnostics.count == before ? d : nil
    }

    private mutating func checkPairs(_ node: Node) {
        let teacher = node["teacher_pairs"]?.items ?? [], student = node["student_pairs"]?.items ?? []
        for pair in teacher + student where pair.items?.count != 2 {
            report("an FSP pair names two feature maps, [first, second]", at: pair.mark)
        }
        if teacher.count != student.count, let s = node["student_pairs"] {
            report("student_pairs has \(student.count) pairs, teacher_pairs \(teacher.count): they go together in order", at: s.mark)
        }
    }

    private func double(_ node: Node?) -> Double? {
        switch node?.scalarValue {
        case .float(let f)?: return f
        case .int(let i)?: return Double(i)
        default: return nil
        }
    }

    /// A `DistillationStrategy` entry (types already checked against its schema); its distiller
    /// names resolved against `distillers`, each unknown one reported with a did-you-mean.
    mutating func distillation(_ node: Node, distillers: (parsed: [String: DistillerConfig], defined: [String])) -> DistillationStrategyConfig {
        var c = DistillationStrategyConfig()
        if case .int(let i) = node["start_epoch"]?.scalarValue { c.startEpoch = i }
        if case .int(let i) = node["end_epoch"]?.scalarValue { c.endEpoch = i }
        teacher(node, into: &c)
        for item in node["distillers"]?.items ?? [] {
            guard let name = item.text else { continue }
            if let d = distillers.parsed[name] {
                c.distillers.append(d)
            } else if !distillers.defined.contains(name) {
                let known = distillers.defined
                report("unknown distiller '\(name)'", at: item.mark,
                       notes: (Suggestion.note(for: name, in: known).map { [$0] } ?? []) + (known.isEmpty ? ["no distillers are defined (a `distillers:` section)"] : ["defined: \(known.joined(separator: ", "))"]))
            }
        }
        if node["distillers"]?.items?.isEmpty == true { report("distillers is empty: name at least one", at: node["distillers"]!.mark) }
        if c.startEpoch < 0 { report("start_epoch must be >= 0", at: node["start_epoch"]?.mark ?? node.mark) }
        if c.endEpoch <= c.startEpoch {
            report("end_epoch (\(c.endEpoch)) must be after start_epoch (\(c.startEpoch)): distillation runs epochs start_epoch ..< end_epoch",
                   at: node["end_epoch"]?.mark ?? node.mark)
        }
        return c
    }

    /// The teacher: exactly one of `teacher_model_dir` and `teacher_model_config`, the latter with
    /// `teacher_weights` (and `teacher_weights` only with it). Paths are kept as written
    /// (relative ones resolve against the working directory, as every path of a slim YAML).
    private mutating func teacher(_ node: Node, into c: inout DistillationStrategyConfig) {
        let dir = node["teacher_model_dir"], yaml = node["teacher_model_config"], weights = node["teacher_weights"]
        c.teacherModelDir = dir?.text ?? ""
        c.teacherModelConfig = yaml?.text
        c.teacherWeights = weights?.text
        switch (dir, yaml) {
        case (nil, nil):
            report("missing required option 'teacher_model_dir' in DistillationStrategy (or teacher_model_config with teacher_weights)", at: node.mark,
                   notes: ["the teacher is a model directory (teacher_model_dir), or a model YAML and its trained weights (teacher_model_config, teacher_weights)"])
        case let (d?, y?):
            report("the teacher is given twice: teacher_model_config and teacher_model_dir (line \(d.mark.line)); give one", at: y.mark)
        default:
            break
        }
        if let yaml, weights == nil {
            report("teacher_model_config needs teacher_weights: the model directory of the teacher's trained weights (e.g. output/<name>/best)", at: yaml.mark)
        }
        if let weights, yaml == nil {
            report("teacher_weights goes with teacher_model_config (a teacher_model_dir holds its own weights)", at: weights.mark)
        }
    }

    /// Quantization must be the last strategy of `compressor.strategies`: it freezes and saves the
    /// model, so a strategy after it would train what was already saved (PaddleSlim 1.x's rule).
    mutating func checkQuantizationLast(_ compressor: Node?, classes: [String: String]) {
        let items = compressor?["strategies"]?.items ?? []
        let quantization: Set<String> = ["QuantizationStrategy", "PostTrainingQuantizationStrategy"]
        guard let first = items.firstIndex(where: { quantization.contains(classes[$0.text ?? ""] ?? "") }) else { return }
        for item in items[(first + 1)...] {
            guard let name = item.text, let cls = classes[name], !quantization.contains(cls) else { continue }
            report("strategy '\(name)' (\(cls)) comes after quantization strategy '\(items[first].text ?? "")' in compressor.strategies",
                   at: item.mark, notes: ["quantization must be the last strategy: it freezes and saves the model; list '\(name)' before it"])
        }
    }
}
