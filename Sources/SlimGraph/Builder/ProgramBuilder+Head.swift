import SlimTensor

/// The vars of a classifier's head: the inference output and the training loss and metrics.
public struct ClassifierHead: Codable, Hashable, Sendable {
    /// Softmax probabilities `[N, classes]`: the inference output (`fc_N.tmp_2`).
    public var output: String
    public var loss: String
    public var top1: String
    public var top5: String
}

extension ProgramBuilder {
    /// Appends the head of a classifier on `logits` (the `fc_N.tmp_1` output of an fc without
    /// activation): the softmax output `fc_N.tmp_2`, and for training `softmax_with_cross_entropy`
    /// + `mean` (the loss) and top-1/top-5 `accuracy`. Sets the fetches to output, loss, top1, top5.
    public mutating func classifierHead(logits: String, label: String) -> ClassifierHead {
        let classes = shape(logits)[1]
        precondition(logits.hasSuffix(".tmp_1"), "the head expects an fc's bias output, got \(logits)")
        var fcLayer = Layer(prefix: String(logits.dropLast(".tmp_1".count)), temporaries: 2)
        let output = temporary(&fcLayer, shape: shape(logits))
        append("softmax", ["X": [logits]], ["Out": [output]], ["axis": .int(-1)])

        var l = layer("softmax_with_cross_entropy")
        let n = shape(logits)[0]
        let softmax = temporary(&l, shape: [n, classes]), losses = temporary(&l, shape: [n, 1])
        append("softmax_with_cross_entropy", ["Logits": [logits], "Label": [label]], ["Softmax": [softmax], "Loss": [losses]])
        var m = layer("mean")
        let loss = temporary(&m, shape: [1])
        append("mean", ["X": [losses]], ["Out": [loss]])
        let top1 = accuracy(output, label, k: 1)
        let top5 = accuracy(output, label, k: min(5, classes))
        let head = ClassifierHead(output: output, loss: loss, top1: top1, top5: top5)
        fetch([output, loss, top1, top5])
        return head
    }

    private mutating func accuracy(_ scores: String, _ label: String, k: Int) -> String {
        var l = layer("accuracy")
        let acc = temporary(&l, shape: [1])
        let correct = temporary(&l, shape: [1], dtype: .s32), total = temporary(&l, shape: [1], dtype: .s32)
        append("accuracy", ["Out": [scores], "Label": [label]], ["Accuracy": [acc], "Correct": [correct], "Total": [total]], ["k": .int(k)])
        return acc
    }
}
