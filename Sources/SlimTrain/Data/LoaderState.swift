/// Where a `DataLoader` stands in its endless stream of passes: the next batch is the one
/// starting at sample `offset` of pass `pass`. Saved in checkpoints to resume exactly.
public struct LoaderState: Codable, Equatable, Hashable, Sendable {
    /// Zero-based pass (epoch over the data set) number.
    public var pass: Int
    /// Position, in samples, of the next batch inside the pass's order.
    public var offset: Int

    public init(pass: Int = 0, offset: Int = 0) {
        self.pass = pass
        self.offset = offset
    }
}
