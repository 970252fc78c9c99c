extension CompressionConfig {
    /// Loads and checks a slim YAML (PaddleSlim 1.x shape; a PaddleDetection slim YAML loads unchanged).
    ///
    /// Every problem is reported with its position: unknown keys and classes (did-you-mean), wrong
    /// types, bits outside 1...16, `start_epoch > end_epoch`, an `end_epoch` with no epoch count after it,
    /// unknown strategy names, `eval_epoch <= 0`.
    /// Strategy references resolve in any order. `epoch` is raised to `max(end_epoch) + 1`: Paddle 1.6
    /// runs epochs `0 ..< epoch` and freezes at the end of epoch `end_epoch`, so that epoch must run
    /// (a `PostTrainingQuantizationStrategy` acts before epoch 0 and counts as `end_epoch: 0`).
    public static func load(path: String) throws -> CompressionConfig {
        let reader = try YAMLReader(path: path)
        let root = try reader.parse()
        var v = SchemaValidator(sources: [reader.source])
        guard root.isMapping else {
            throw ConfigError("a slim YAML must be a mapping with version, strategies and compressor", at: root.mark, source: reader.source)
        }
        v.checkKeys(root, allowed: ["version", "pruners", "distillers", "strategies", "compressor"], in: "the slim YAML")
        var named: [String: (Node, StrategyConfig)] = [:], defined: [String] = []
        let pruners = v.pruners(root["pruners"])
        let prunerNames = (root["pruners"]?.entries ?? []).compactMap(\.key.text).sorted()
        let distillers = v.distillers(root["distillers"])
        for entry in root["strategies"]?.entries ?? [] {
            guard let name = entry.key.text else { continue }
            defined.append(name)
            if let strategy = v.strategy(named: name, entry.value, pruners: (pruners, prunerNames), distillers: distillers) {
                named[name] = (entry.value, strategy)
            }
        }
        if let s = root["strategies"], !s.isMapping, s.scalarValue != .null {
            v.report("strategies must be a mapping of names to strategies, found \(s.kindDescription)", at: s.mark)
        }
        var compressor = CompressorConfig(epoch: 0)
        if let node = root["compressor"] {
            compressor = v.compressor(node, known: defined.sorted())   // a strategy with errors is still defined
        } else {
            v.report("missing required section 'compressor'", at: root.mark)
        }
        v.checkQuantizationLast(root["compressor"], classes: (root["strategies"]?.entries ?? []).reduce(into: [:]) { classes, entry in
            if let name = entry.key.text, let cls = entry.value["class"]?.text { classes[name] = cls }
        })
        if !v.diagnostics.isEmpty { throw ConfigError(v.diagnostics) }
        let strategies = compressor.strategyNames.compactMap { named[$0]?.1 }
        let lastEnd = strategies.map(\.lastEpoch).max()
        if let lastEnd { compressor.epoch = max(compressor.epoch, lastEnd + 1) }
        return CompressionConfig(version: root["version"]?.text ?? "1.0", strategies: strategies, compressor: compressor, path: path)
    }
}

extension SchemaValidator {
    mutating func checkKeys(_ node: Node, allowed: [String], in what: String) {
        for entry in node.entries ?? [] {
            guard let key = entry.key.text, !allowed.contains(key) else { continue }
            report("unknown key '\(key)' in \(what)", at: entry.key.mark,
                   notes: Suggestion.note(for: key, in: allowed).map { [$0] } ?? ["valid keys: \(allowed.joined(separator: ", "))"])
        }
    }

    /// One `strategies:` entry: its class and parameters.
    mutating func strategy(named name: String, _ node: Node, pruners: (valid: Set<String>, defined: [String]) = ([], []),
                           distillers: (parsed: [String: DistillerConfig], defined: [String]) = ([:], [])) -> StrategyConfig? {
        guard node.isMapping else {
            report("strategy '\(name)' must be a mapping with a 'class:' key", at: node.mark)
            return nil
        }
        guard let classNode = node["class"], let cls = classNode.text else {
            report("strategy '\(name)' needs 'class:' (one of \(ModuleRegistry.strategyClasses.joined(separator: ", ")))", at: node.mark)
            return nil
        }
        guard ModuleRegistry.strategyClasses.contains(cls), let schema = registry.module(cls) else {
            report("unknown strategy class '\(cls)'", at: classNode.mark,
                   notes: (Suggestion.note(for: cls, in: ModuleRegistry.strategyClasses).map { [$0] } ?? [])
                       + ["valid: \(ModuleRegistry.strategyClasses.joined(separator: ", "))"])
            return nil
        }
        let before = diagnostics.count
        check(node, module: schema, extraKeys: ["class"])
        let schemaOK = diagnostics.count == before
        if let kind = PruneStrategyConfig.Kind(rawValue: cls) {
            let p = prune(node, kind: kind, pruners: pruners.valid, defined: pruners.defined)
            return schemaOK && diagnostics.count == before ? .prune(name: name, p) : nil
        }
        if cls == "DistillationStrategy" {
            let d = distillation(node, distillers: distillers)
            return schemaOK ? .distillation(name: name, d) : nil
        }
        if cls == "PostTrainingQuantizationStrategy" {
            let ptq = postTrainingQuantization(node)
            return schemaOK ? .postTrainingQuantization(name: name, ptq) : nil
        }
        let q = quantization(node)
        return schemaOK ? .quantization(name: name, q) : nil
    }

    private mutating func quantization(_ node: Node) -> QuantizationStrategyConfig {
        var q = QuantizationStrategyConfig()
        func int(_ key: String) -> Int? { if case .int(let i) = node[key]?.scalarValue { return i } else { return nil } }
        func list(_ key: String) -> [String]? { node[key]?.items?.compactMap(\.text) }
        q.startEpoch = int("start_epoch") ?? 0
        q.endEpoch = int("end_epoch") ?? 0
        q.floatModelSavePath = node["float_model_save_path"]?.text
        q.int8ModelSavePath = node["int8_model_save_path"]?.text
        q.mobileModelSavePath = node["mobile_model_save_path"]?.text
        q.weightBits = int("weight_bits") ?? 8
        q.activationBits = int("activation_bits") ?? 8
        q.weightQuantizeType = node["weight_quantize_type"]?.text.flatMap(WeightQuantizeType.init) ?? .absMax
        q.activationQuantizeType = node["activation_quantize_type"]?.text.flatMap(ActivationQuantizeType.init) ?? .absMax
        q.saveInNodes = list("save_in_nodes") ?? []
        q.saveOutNodes = list("save_out_nodes") ?? []
        for key in ["weight_bits", "activation_bits"] where !(1...16).contains(int(key) ?? 8) {
            report("\(key) must be in 1...16, found \(int(key)!)", at: node[key]!.mark)
        }
        if q.startEpoch > q.endEpoch {
            report("start_epoch (\(q.startEpoch)) is after end_epoch (\(q.endEpoch))", at: node["start_epoch"]?.mark ?? node.mark)
        }
        for key in ["start_epoch", "end_epoch"] where (int(key) ?? 0) < 0 {
            report("\(key) must be >= 0", at: node[key]!.mark)
        }
        if q.endEpoch == Int.max, let end = node["end_epoch"] {
            report("end_epoch must be < \(Int.max): epochs 0...end_epoch run", at: end.mark)
        }
        return q
    }

    /// The `compressor:` section; strategy names must be among `known`.
    mutating func compressor(_ node: Node, known: [String]) -> CompressorConfig {
        guard let schema = registry.module("Compressor") else { return CompressorConfig(epoch: 0) }
        check(node, module: schema)
        var c = CompressorConfig(epoch: 0)
        if case .int(let e) = node["epoch"]?.scalarValue { c.epoch = e }
        c.checkpointPath = node["checkpoint_path"]?.text ?? c.checkpointPath
        c.initModel = node["init_model"]?.text
        if case .int(let e) = node["eval_epoch"]?.scalarValue {
            c.evalEpoch = e
            if e <= 0 { report("eval_epoch must be > 0, found \(e)", at: node["eval_epoch"]!.mark) }
        }
        for item in node["strategies"]?.items ?? [] {
            guard let name = item.text else { continue }
            if known.contains(name) {
                c.strategyNames.append(name)
            } else {
                report("unknown strategy '\(name)'", at: item.mark,
                       notes: (Suggestion.note(for: name, in: known).map { [$0] } ?? []) + (known.isEmpty ? ["no strategies are defined"] : ["defined: \(known.joined(separator: ", "))"]))
            }
        }
        return c
    }
}
