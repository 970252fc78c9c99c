/// What a model takes and gives, whatever its task: named feeds, the training loss, named
/// outputs and the metric that measures it. Everything above the zoo (training, checkpoints,
/// strategies, calibration, evaluation, saving) reads a model through this.
///
/// A classifier also carries its `ClassifierHead` (the accuracy vars); the conveniences `image`,
/// `label` and `head` exist for classification code and tests.
public struct ModelInterface: Hashable, Sendable {
    /// Every feed, in program order.
    public var feeds: [FeedSpec]
    /// The scalar `[1]` loss var that training differentiates.
    public var loss: String
    /// The inference outputs in order (the default fetches of eval, infer and saved models).
    public var outputs: [OutputSpec]
    /// How the model is measured.
    public var metric: MetricKind
    /// The classifier head's vars, for a classifier (nil for other tasks).
    public var classifier: ClassifierHead?

    public init(feeds: [FeedSpec], loss: String, outputs: [OutputSpec], metric: MetricKind, classifier: ClassifierHead? = nil) {
        precondition(!feeds.isEmpty && !outputs.isEmpty, "a model has feeds and outputs")
        self.feeds = feeds
        self.loss = loss
        self.outputs = outputs
        self.metric = metric
        self.classifier = classifier
    }

    /// A classifier's interface: feeds `image` (inference) and `label` (training), the head's loss,
    /// the output `probabilities` and the top-k metric.
    public init(image: FeedSpec, label: FeedSpec, head: ClassifierHead) {
        self.init(feeds: [image, label], loss: head.loss, outputs: [OutputSpec(name: "probabilities", variable: head.output)],
                  metric: .topK, classifier: head)
    }

    /// The names of the feeds an inference model takes (`save_in_nodes`' default), in order.
    public var inferenceFeeds: [String] { feeds.filter { $0.usage == .inference }.map(\.name) }
    /// The vars of the outputs (`save_out_nodes`' default), in order.
    public var outputVars: [String] { outputs.map(\.variable) }
    /// The first feed: the image of every zoo model.
    public var image: String { feeds[0].name }
    /// The first output's var (a classifier's probabilities).
    public var output: String { outputs[0].variable }

    /// The classifier head.
    /// - Precondition: the model is a classifier (a caller reading classifier vars of a detector is a bug).
    public var head: ClassifierHead {
        guard let classifier else { preconditionFailure("the model is not a classifier (metric \(metric.rawValue))") }
        return classifier
    }

    /// A classifier's label feed.
    /// - Precondition: the model is a classifier.
    public var label: String {
        guard classifier != nil, let label = feeds.first(where: { $0.usage == .training }) else {
            preconditionFailure("the model is not a classifier (metric \(metric.rawValue))")
        }
        return label.name
    }

    /// The feed named `name`.
    public func feed(_ name: String) -> FeedSpec? { feeds.first { $0.name == name } }
}
