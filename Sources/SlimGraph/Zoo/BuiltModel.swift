import SlimTensor

/// A model built by the zoo: its training program (with loss and, for a classifier, accuracy),
/// initial parameters, and its interface (named feeds, loss, named outputs, metric).
public struct BuiltModel {
    public var program: Program
    public var params: [String: Tensor]
    public var interface: ModelInterface

    public init(program: Program, params: [String: Tensor], interface: ModelInterface) {
        self.program = program
        self.params = params
        self.interface = interface
    }

    /// Every feed, in program order.
    public var feeds: [FeedSpec] { interface.feeds }
    /// The training loss var.
    public var loss: String { interface.loss }
    /// The inference outputs, in order.
    public var outputs: [OutputSpec] { interface.outputs }
    /// How the model is measured.
    public var metric: MetricKind { interface.metric }

    /// The image feed (the first feed).
    public var image: String { interface.image }
    /// A classifier's label feed.
    public var label: String { interface.label }
    /// A classifier's head.
    public var head: ClassifierHead { interface.head }
}
