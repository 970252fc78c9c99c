import SlimTensor

/// A classifier read from a model directory (`slim import`'s output, or any slim inference model)
/// made trainable, so that `slim train` / `slim compress` fine-tune and quantize a model trained
/// elsewhere (model YAML `architecture: Imported`).
///
/// The directory's program must take one picture feed `[-1, C, H, W]` and fetch one output made
/// by a `softmax` over `[N, classes]` logits. Appended for training, as a zoo classifier's head:
/// the label feed `label` `[-1, 1]`, `softmax_with_cross_entropy` on the logits + `mean` (the
/// loss) and top-1/top-5 `accuracy` of the output. Every persistable f32 var becomes trainable
/// except batch norms' running statistics; the imported batch norms keep `is_test` (fine-tuning
/// normalizes with the running statistics the model was trained with and leaves them unchanged).
/// The initial weights are the directory's.
public enum ImportedClassifier {
    public static func build(program source: Program, params: [String: Tensor]) throws -> BuiltModel {
        guard source.feeds.count == 1, let feed = source.variable(source.feeds[0]), feed.shape.count == 4 else {
            throw GraphError("an Imported model takes one picture feed [N, C, H, W]; this one takes \(source.feeds)",
                             hints: ["import with --input_shape N,C,H,W, or use a model with a single image input"])
        }
        guard source.fetches.count == 1, let output = source.fetches.first,
              let softmax = source.ops.last(where: { $0.outputs["Out"] == [output] }), softmax.type == "softmax",
              let logits = softmax.inputs["X"]?.first, let shape = source.variable(logits)?.shape, shape.count == 2, shape[1] > 0 else {
            throw GraphError("an Imported model must output softmax probabilities [N, classes] (its one fetch made by a softmax); "
                             + "this one fetches \(source.fetches)", hints: ["a classifier exported with its softmax"])
        }
        var p = source
        let statistics = Set(p.ops.filter { $0.type == "batch_norm" }.flatMap { ($0.inputs["Mean"] ?? []) + ($0.inputs["Variance"] ?? []) })
        for v in p.vars where v.persistable && v.dtype == .f32 && !statistics.contains(v.name) { p.update(v.name) { $0.trainable = true } }

        let classes = shape[1]
        let label = unused("label", in: p), prefix = unused("imported_head", in: p)
        p.declare(VarDesc(name: label, shape: [-1, 1], dtype: .s32))
        p.feeds.append(label)
        func temporary(_ i: Int, _ shape: [Int], _ dtype: DType = .f32) -> String {
            p.declare(VarDesc(name: "\(prefix).tmp_\(i)", shape: shape, dtype: dtype))
            return "\(prefix).tmp_\(i)"
        }
        let probabilities = temporary(0, [-1, classes]), losses = temporary(1, [-1, 1]), loss = temporary(2, [1])
        p.ops.append(OpDesc(type: "softmax_with_cross_entropy", inputs: ["Logits": [logits], "Label": [label]],
                            outputs: ["Softmax": [probabilities], "Loss": [losses]]))
        p.ops.append(OpDesc(type: "mean", inputs: ["X": [losses]], outputs: ["Out": [loss]]))
        var accuracies: [String] = []
        for (n, k) in [1, min(5, classes)].enumerated() {
            let acc = temporary(3 + 3 * n, [1]), correct = temporary(4 + 3 * n, [1], .s32), total = temporary(5 + 3 * n, [1], .s32)
            p.ops.append(OpDesc(type: "accuracy", inputs: ["Out": [output], "Label": [label]],
                                outputs: ["Accuracy": [acc], "Correct": [correct], "Total": [total]], attrs: ["k": .int(k)]))
            accuracies.append(acc)
        }
        p.fetches = [output, loss] + accuracies
        let head = ClassifierHead(output: output, loss: loss, top1: accuracies[0], top5: accuracies[1])
        let image = FeedSpec(name: feed.name, shape: feed.shape, usage: .inference)
        let labelSpec = FeedSpec(name: label, shape: [-1, 1], dtype: .s32, usage: .training)
        return BuiltModel(program: p, params: params, interface: ModelInterface(image: image, label: labelSpec, head: head))
    }

    /// `name`, or `name_1`, `name_2`, ... when the program has a var of that name (or prefix).
    private static func unused(_ name: String, in p: Program) -> String {
        var candidate = name, n = 0
        while p.vars.contains(where: { $0.name == candidate || $0.name.hasPrefix(candidate + ".") }) {
            n += 1
            candidate = "\(name)_\(n)"
        }
        return candidate
    }
}
