extension ModuleRegistry {
    /// Pruning strategy classes a slim YAML may name in `class:`.
    static let pruneStrategyClasses = ["UniformPruneStrategy", "SensitivePruneStrategy"]

    private static let pruneCommon: [OptionSchema] = [
        OptionSchema("pruner", .string, nil, required: true, "Name of a pruner of `pruners:`."),
        OptionSchema("start_epoch", .int, "0", "Epoch at whose beginning the filters are removed."),
        OptionSchema("target_ratio", .float, "0.5", "Fraction of the model's FLOPs (multiply-adds) to remove, in (0, 1)."),
        OptionSchema("pruned_params", .string, nil, required: true, "Regular expression (whole name) of the conv filters to prune, e.g. '.*_sep_weights'."),
        OptionSchema("metric_name", .string, "acc_top1", "Metric the strategy watches (acc_top1, acc_top5, map)."),
        OptionSchema("round_to", .int, "1", "slim's extension (torch-pruning's round_to): each pruned conv keeps a multiple of this many channels (nearest; a conv with at most round_to channels keeps them all), so the kept counts fill the kernels' 8- or 16-channel blocks; 1: no rounding."),
    ]

    static let pruning: [ModuleSchema] = [
        ModuleSchema("UniformPruneStrategy", "Filter pruning (PaddleSlim 1.x): at start_epoch remove the same ratio of filters (smallest L1 norm) from every matched conv, the ratio found by bisection to remove target_ratio of the FLOPs.",
                     pruneCommon),
        ModuleSchema("SensitivePruneStrategy", "Filter pruning by sensitivity (PaddleSlim 1.x): measure each matched conv's eval-metric loss at ratios delta_rate, 2*delta_rate, ..., then prune each by the ratio that removes target_ratio of the FLOPs with the least estimated loss.",
                     pruneCommon + [
                        OptionSchema("delta_rate", .float, "0.2", "Step of the pruning ratios measured, in (0, 1)."),
                        OptionSchema("num_steps", .int, "1", "Pruning steps (>= 1): step 1 at start_epoch, each later one at the beginning of an epoch once metric_name changed by less than 0.1% (relative) between the last two evaluations since the previous step; each removes 1 - (1 - target_ratio)^(1/num_steps) of the current FLOPs."),
                        OptionSchema("eval_rate", .float, "0.1", "Fraction of the eval set (its first samples) measured per ratio, in (0, 1]."),
                        OptionSchema("sensitivities_file", .string, nil, "JSON file of the measured sensitivities: reused when it has every param and ratio, written otherwise. Step k > 1 (num_steps) at epoch E uses <sensitivities_file>.epoch<E>."),
                     ]),
        ModuleSchema("StructurePruner", "Removes whole filters (slim YAML `pruners:`): pruning_axis {'*': 0}, criterions {'*': l1_norm}.", [
            OptionSchema("pruning_axis", .any, "{'*': 0}", "Axis pruned per param pattern: slim supports {'*': 0} (filters)."),
            OptionSchema("criterions", .any, "{'*': l1_norm}", "Criterion per param pattern: slim supports {'*': l1_norm}."),
        ]),
    ]
}
