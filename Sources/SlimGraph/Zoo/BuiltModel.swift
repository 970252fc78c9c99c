import SlimTensor

/// A classifier built by the zoo: its training program (with loss and accuracy), initial
/// parameters, and the names of its feeds and head.
public struct BuiltModel {
    public var program: Program
    public var params: [String: Tensor]
    public var image: String
    public var label: String
    public var head: ClassifierHead
}
