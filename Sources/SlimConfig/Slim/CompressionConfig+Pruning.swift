/// `UniformPruneStrategy` / `SensitivePruneStrategy` parameters, those of PaddleSlim 1.x.
public struct PruneStrategyConfig: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case uniform = "UniformPruneStrategy", sensitive = "SensitivePruneStrategy" }

    public var kind: Kind
    /// The pruner's name in `pruners:` (always a `StructurePruner` with l1_norm on axis 0).
    public var pruner: String
    public var startEpoch = 0
    /// Fraction of the FLOPs to remove.
    public var targetRatio = 0.5
    /// Regular expression matching the whole name of each conv filter to prune.
    public var prunedParams: String
    public var metricName = "acc_top1"
    /// Kept channels per pruned conv rounded to a multiple of this (torch-pruning's `round_to`):
    /// counts that fill the kernels' channel blocks (8 or 16 floats) run faster. 1: no rounding.
    public var roundTo = 1
    public var deltaRate = 0.2
    /// SensitivePruneStrategy: pruning steps, each removing `1 - (1 - targetRatio)^(1/numSteps)` of the
    /// current FLOPs (the first at `startEpoch`, the others once the eval metric has converged).
    public var numSteps = 1
    public var evalRate = 0.1
    public var sensitivitiesFile: String?

    public init(kind: Kind, pruner: String, prunedParams: String) {
        self.kind = kind
        self.pruner = pruner
        self.prunedParams = prunedParams
    }
}

extension SchemaValidator {
    /// The `pruners:` section: names of valid `StructurePruner`s.
    mutating func pruners(_ node: Node?) -> Set<String> {
        guard let node else { return [] }
        guard node.isMapping else {
            report("pruners must be a mapping of names to pruners, found \(node.kindDescription)", at: node.mark)
            return []
        }
        var names = Set<String>()
        for entry in node.entries ?? [] {
            guard let name = entry.key.text else { continue }
            let p = entry.value
            guard p.isMapping, let cls = p["class"] else {
                report("pruner '\(name)' must be a mapping with 'class: StructurePruner'", at: p.mark)
                continue
            }
            guard cls.text == "StructurePruner", let schema = registry.module("StructurePruner") else {
                report("unknown pruner class '\(cls.text ?? "")'", at: cls.mark, notes: ["valid: StructurePruner"])
                continue
            }
            let before = diagnostics.count
            check(p, module: schema, extraKeys: ["class"])
            checkPrunerMap(p["pruning_axis"], key: "pruning_axis", expected: "0")
            checkPrunerMap(p["criterions"], key: "criterions", expected: "l1_norm")
            if diagnostics.count == before { names.insert(name) }
        }
        return names
    }

    private mutating func checkPrunerMap(_ node: Node?, key: String, expected: String) {
        guard let node else { return }
        let entries = node.entries ?? []
        if !node.isMapping || entries.count != 1 || entries[0].key.text != "*" || entries[0].value.text != expected {
            report("\(key) must be {'*': \(expected)}: slim prunes whole filters by their \(expected == "0" ? "output axis" : "L1 norm")", at: node.mark)
        }
    }

    /// A pruning strategy's parameters; `pruners` are the defined pruner names.
    mutating func prune(_ node: Node, kind: PruneStrategyConfig.Kind, pruners: Set<String>, defined: [String]) -> PruneStrategyConfig {
        func float(_ key: String) -> Double? {
            switch node[key]?.scalarValue { case .int(let i): return Double(i); case .float(let f): return f; default: return nil }
        }
        var c = PruneStrategyConfig(kind: kind, pruner: node["pruner"]?.text ?? "", prunedParams: node["pruned_params"]?.text ?? "")
        if case .int(let e) = node["start_epoch"]?.scalarValue { c.startEpoch = e }
        if case .int(let n) = node["num_steps"]?.scalarValue { c.numSteps = n }
        if case .int(let n) = node["round_to"]?.scalarValue { c.roundTo = n }
        c.targetRatio = float("target_ratio") ?? c.targetRatio
        c.deltaRate = float("delta_rate") ?? c.deltaRate
        c.evalRate = float("eval_rate") ?? c.evalRate
        c.metricName = node["metric_name"]?.text ?? c.metricName
        c.sensitivitiesFile = node["sensitivities_file"]?.text
        if let p = node["pruner"], !pruners.contains(c.pruner), !defined.contains(c.pruner) {
            report("unknown pruner '\(c.pruner)'", at: p.mark, notes: (Suggestion.note(for: c.pruner, in: defined).map { [$0] } ?? [])
                   + [defined.isEmpty ? "no pruners are defined (add a 'pruners:' section)" : "defined: \(defined.joined(separator: ", "))"])
        }
        checkRange(node, "target_ratio", c.targetRatio, open: true)
        checkRange(node, "delta_rate", c.deltaRate, open: true)
        checkRange(node, "eval_rate", c.evalRate, open: false)
        if c.startEpoch < 0, let n = node["start_epoch"] { report("start_epoch must be >= 0", at: n.mark) }
        if c.roundTo < 1, let n = node["round_to"] { report("round_to must be >= 1, found \(c.roundTo)", at: n.mark) }
        if c.numSteps < 1, let n = node["num_steps"] { report("num_steps must be >= 1, found \(c.numSteps)", at: n.mark) }
        if let p = node["pruned_params"], (try? Regex(c.prunedParams)) == nil {
            report("pruned_params '\(c.prunedParams)' is not a valid regular expression", at: p.mark)
        }
        return c
    }

    private mutating func checkRange(_ node: Node, _ key: String, _ value: Double, open: Bool) {
        guard let n = node[key] else { return }
        if value <= 0 || value > 1 || (open && value == 1) {
            report("\(key) must be in (0, 1\(open ? ")" : "]"), found \(value)", at: n.mark)
        }
    }
}
