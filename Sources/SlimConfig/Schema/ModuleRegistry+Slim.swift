extension ModuleRegistry {
    /// Strategy classes a slim YAML may name in `class:`.
    static let strategyClasses = ["QuantizationStrategy", "PostTrainingQuantizationStrategy", "DistillationStrategy"] + pruneStrategyClasses

    static let slim: [ModuleSchema] = [
        ModuleSchema("QuantizationStrategy", "Quantization-aware training (PaddleSlim 1.x): transform at start_epoch, freeze and save at end_epoch.", [
            OptionSchema("start_epoch", .int, "0", "Epoch at which fake-quant ops are inserted."),
            OptionSchema("end_epoch", .int, "0", "Epoch after which the float and int8 models are frozen and saved."),
            OptionSchema("float_model_save_path", .string, nil, "Directory for the frozen FP32 model."),
            OptionSchema("int8_model_save_path", .string, nil, "Directory for the INT8 model."),
            OptionSchema("mobile_model_save_path", .string, nil, "Directory for the deployable INT8 model: model.onnx, QDQ ONNX (as slim export --format onnx writes it)."),
            OptionSchema("weight_bits", .int, "8", "Bits of weights, 1..16."),
            OptionSchema("activation_bits", .int, "8", "Bits of activations, 1..16."),
            OptionSchema("weight_quantize_type", .choice(WeightQuantizeType.allCases.map(\.rawValue)), "abs_max", "Scale of weights."),
            OptionSchema("activation_quantize_type", .choice(ActivationQuantizeType.allCases.map(\.rawValue)), "abs_max", "Scale of activations."),
            OptionSchema("save_in_nodes", .list(.string), nil, "Feed vars of the saved inference models."),
            OptionSchema("save_out_nodes", .list(.string), nil, "Fetch vars of the saved inference models."),
        ]),
        ModuleSchema("PostTrainingQuantizationStrategy", "Post-training quantization (calibration): observe the loaded float model on batch_nums batches at compression begin, then freeze and save; no training.", [
            OptionSchema("algo", .choice(PostTrainingQuantizationStrategyConfig.algorithms), "KL",
                         "How activation thresholds are chosen: abs_max (max |x|), avg (mean batch max), hist (percentile), KL (entropy), mse, mix (least MSE of those)."),
            OptionSchema("batch_nums", .int, "10", "Calibration batches (> 0): the train split through the EvalReader's transforms."),
            OptionSchema("hist_percent", .float, "0.9999", "Share of |x| kept by hist (and mix), in (0, 1]."),
            OptionSchema("activation_mode", .choice(PostTrainingQuantizationStrategyConfig.activationModes), "symmetric",
                         "symmetric (int8 around 0) or asymmetric (uint8 with a zero point, algo abs_max or avg: ONNX Runtime's MinMax)."),
            OptionSchema("weight_bits", .int, "8", "Bits of weights, 1..16."),
            OptionSchema("activation_bits", .int, "8", "Bits of activations, 1..16."),
            OptionSchema("weight_quantize_type", .choice(WeightQuantizeType.allCases.map(\.rawValue)), "channel_wise_abs_max", "Scale of weights (from the weights themselves)."),
            OptionSchema("float_model_save_path", .string, nil, "Directory for the frozen FP32 model."),
            OptionSchema("int8_model_save_path", .string, nil, "Directory for the INT8 model."),
            OptionSchema("eval_model_save_path", .string, nil, "Directory for the calibrated fake-quant eval model (__model__/__params__)."),
            OptionSchema("save_in_nodes", .list(.string), nil, "Feed vars of the saved inference models."),
            OptionSchema("save_out_nodes", .list(.string), nil, "Fetch vars of the saved inference models."),
        ]),
        ModuleSchema("Compressor", "The compression run: epochs, checkpoints, strategies (slim YAML `compressor:`).", [
            OptionSchema("epoch", .int, nil, required: true, "Epochs to run; raised to the largest end_epoch + 1."),
            OptionSchema("checkpoint_path", .string, "./checkpoints/", "Where <epoch>/ checkpoints are written."),
            OptionSchema("strategies", .list(.string), "[]", "Names of the strategies to apply, from `strategies:`."),
            OptionSchema("init_model", .string, nil, "Model directory to start from (default: pretrain_weights)."),
            OptionSchema("eval_epoch", .int, "1", "Evaluate every N epochs (> 0)."),
        ]),
    ]
}

/// How weights are scaled (docs/ARCHITECTURE.md section 6).
public enum WeightQuantizeType: String, CaseIterable, Codable, Sendable {
    case absMax = "abs_max"
    case channelWiseAbsMax = "channel_wise_abs_max"
}

/// How activations are scaled (docs/ARCHITECTURE.md section 6).
public enum ActivationQuantizeType: String, CaseIterable, Codable, Sendable {
    case absMax = "abs_max"
    case movingAverageAbsMax = "moving_average_abs_max"
    case rangeAbsMax = "range_abs_max"
}
