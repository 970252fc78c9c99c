import SlimTensor

/// A classifier architecture the zoo can build (a detector builds its own `BuiltModel`).
public protocol ZooModel {
    var numClasses: Int { get }
    /// Appends the network from `image` to its logits (an fc output without activation).
    func logits(_ b: inout ProgramBuilder, image: String) -> String
}

extension ZooModel {
    /// The training program (image and label feeds, loss, accuracy) with initial parameters.
    /// - Parameter inputShape: `[C, H, W]` of one image.
    public func build(inputShape: [Int], seed: UInt64) -> BuiltModel {
        var b = ProgramBuilder(seed: seed)
        let image = FeedSpec(name: b.feed("image", shape: [-1] + inputShape), shape: [-1] + inputShape, usage: .inference)
        let label = FeedSpec(name: b.feed("label", shape: [-1, 1], dtype: .s32), shape: [-1, 1], dtype: .s32, usage: .training)
        let logits = logits(&b, image: image.name)
        let head = b.classifierHead(logits: logits, label: label.name)
        return BuiltModel(program: b.program, params: b.params, interface: ModelInterface(image: image, label: label, head: head))
    }
}
