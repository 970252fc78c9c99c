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
public struct ChannelGroup: Sendable, Equatable {
    /// A slice of a parameter that follows the group's channels: along `axis`, in blocks of `block`.
    public struct Member: Sendable, Hashable {
        public var name: String
        public var axis: Int
        public var block: Int
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
    /// Depthwise conv ops (indices) reading the group: their `groups` attribute follows.
    public var depthwiseOps: [Int]
    /// Why the group cannot be pruned (nil: it can).
    public var unsupported: String?

    public var isPrunable: Bool { unsupported == nil && !producers.isEmpty }
}
