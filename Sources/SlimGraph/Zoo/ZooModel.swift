import SlimTensor

/// A classifier architecture the zoo can build.
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
        let image = b.feed("image", shape: [-1] + inputShape)
        let label = b.feed("label", shape: [-1, 1], dtype: .s32)
        let logits = logits(&b, image: image)
        let head = b.classifierHead(logits: logits, label: label)
        return BuiltModel(program: b.program, params: b.params, image: image, label: label, head: head)
    }
}
