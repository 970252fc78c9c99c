import SlimGraph

/// One channel axis shared by several activations: the output channels of one or more
/// convolutions (the group's `producers`, filters pruned along axis 0) and everything that
/// reads or carries those channels. Removing channel `c` of the group removes, together:
///
/// - filter `c` of every producer (all convs feeding one `elementwise_add` chain: a ResNet
///   residual group shares one selection);
/// - element `c` of each batch norm's scale, offset, mean and variance, and of a conv bias;
/// - filter `c` of a depthwise conv reading the group (its groups attribute follows);
/// - input channel `c` of each conv reading the group (its filter's axis 1);
/// - the rows `c * block ..< (c + 1) * block` of an fc weight reading the group after a
///   flatten (`block` = H * W of its input; 1 after a global pool).
///
/// A `concat` along the channels does not join its inputs' groups: each input keeps its own
/// group and selection, and the concat's output axis is their channels one after another. What
/// reads the concat output (a conv's input channels, a batch norm, a depthwise conv, an fc, a
/// further concat) is a member of each input's group at that input's `offset`: the channels of
/// the inputs before it. An input group that cannot be pruned keeps its part whole.
public struct ChannelGroup: Sendable, Equatable {
    /// A slice of a var that follows the group's channels: channel `c` of the group is the
    /// range `offset + c * block ..< offset + (c + 1) * block` along `axis`.
    public struct Member: Sendable, Hashable {
        public var name: String
        public var axis: Int
        public var block: Int
        /// Where the group's channels start along `axis`: 0, or, behind a concat, the preceding
        /// inputs' channels times `block`.
        public var offset: Int = 0
    }

    /// The group's key: the name of its first producer filter, in program order.
    public var key: String
    /// The current number of channels.
    public var channels: Int
    /// Filters whose output channels (axis 0) are the group's channels.
    public var producers: [String]
    /// Parameters that follow the channels (producers included, at axis 0), and batch norm's per-channel temporaries.
    public var members: [Member]
    /// Activation vars whose axis 1 is the group's channels.
    public var vars: [String]
    /// Activation vars whose axis 1 holds the group's channels among others (axis 1 from
    /// `offset`): concat outputs and what carries them on.
    public var concatVars: [Member] = []
    /// Depthwise conv ops (indices) reading the group: their `groups` attribute follows.
    public var depthwiseOps: [Int]
    /// Why the group cannot be pruned (nil: it can).
    public var unsupported: String?

    public var isPrunable: Bool { unsupported == nil && !producers.isEmpty }
}
