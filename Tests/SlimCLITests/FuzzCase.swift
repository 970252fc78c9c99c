/// One fuzzed `slim` invocation: its arguments, run in a directory holding `model.yml` (`model`),
/// `slim.yaml` (`slimYAML`, after `slimEdits`) and copies of the inputs `fp32/`, `qat/`, `int8/`, `imgs/`.
struct FuzzCase {
    var args: [String]
    /// `section.key` (`strategy.` or `compressor.`) -> YAML value, replacing the slim YAML's line.
    var slimEdits: [(key: String, value: String)] = []

    /// The command as a user would type it (and the slim YAML edits), for failure messages.
    var commandLine: String {
        let edits = slimEdits.isEmpty ? "" : "   with slim.yaml " + slimEdits.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return "slim " + args.map(Self.shellQuoted).joined(separator: " ") + edits
    }

    static func shellQuoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The model YAML every case starts from: one epoch of two batches of 16, 50 eval images.
    static let model = """
    architecture: LeNet5
    num_classes: 10
    max_iters: 2
    epoch: 1
    save_dir: out
    seed: 3
    log_iter: 1
    LearningRate:
      base_lr: 0.01
      schedulers:
      - !PiecewiseDecay {gamma: 0.5, milestones: [1]}
    OptimizerBuilder:
      optimizer: {type: Momentum, momentum: 0.9}
      regularizer: {type: L2, factor: 0.0005}
    TrainReader:
      batch_size: 16
      dataset: {type: FashionMNIST, split: train, num_samples: 64}
      transforms:
      - !RandomCrop {size: 28, padding: 2}
      - !Normalize {mean: [0.2860], std: [0.3530]}
    EvalReader:
      batch_size: 25
      dataset: {type: FashionMNIST, split: test, num_samples: 50}
      transforms:
      - !Normalize {mean: [0.2860], std: [0.3530]}

    """

    /// The slim YAML's fields in order: one QAT epoch, frozen at its end.
    static let slimFields: [(key: String, value: String)] = [
        ("strategy.class", "QuantizationStrategy"),
        ("strategy.start_epoch", "0"),
        ("strategy.end_epoch", "0"),
        ("strategy.float_model_save_path", "./quant/float"),
        ("strategy.int8_model_save_path", "./quant/int8"),
        ("strategy.weight_quantize_type", "abs_max"),
        ("strategy.activation_quantize_type", "moving_average_abs_max"),
        ("compressor.epoch", "1"),
        ("compressor.checkpoint_path", "./checkpoints/"),
        ("compressor.strategies", "[quantization_strategy]"),
    ]

    /// The fields only a `QuantizationStrategy` has.
    static let quantizationOnly = ["strategy.start_epoch", "strategy.end_epoch", "strategy.activation_quantize_type"]

    /// The slim YAML with `slimEdits` applied (an edit of a key not in `slimFields` adds it); a
    /// `PostTrainingQuantizationStrategy` loses the fields of a `QuantizationStrategy`.
    var slimYAML: String {
        var fields = Self.slimFields
        if slimEdits.contains(where: { $0 == ("strategy.class", "PostTrainingQuantizationStrategy") }) {
            fields.removeAll { Self.quantizationOnly.contains($0.key) }
        }
        for edit in slimEdits {
            if let i = fields.firstIndex(where: { $0.key == edit.key }) { fields[i].value = edit.value } else { fields.append(edit) }
        }
        func lines(_ section: String, indent: String) -> String {
            fields.filter { $0.key.hasPrefix(section + ".") }
                .map { "\(indent)\($0.key.dropFirst(section.count + 1)): \($0.value)\n" }.joined()
        }
        return "version: 1.0\nstrategies:\n  quantization_strategy:\n" + lines("strategy", indent: "    ")
            + "compressor:\n" + lines("compressor", indent: "  ")
    }
}
