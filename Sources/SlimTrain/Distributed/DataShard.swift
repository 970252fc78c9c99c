/// Which part of every global batch a process reads in a data-parallel run.
///
/// The loader walks the data set in global batches of `batchSize * count` samples, in the order
/// `(seed, pass)` gives (the same on every rank); rank `r` takes positions
/// `r * batchSize ..< (r + 1) * batchSize` of each. The shards of one step are therefore disjoint,
/// their concatenation in rank order is the batch one process with `batchSize * count` reads, and
/// a rank's position is a function of `(seed, pass, offset, rank, count)`: the `LoaderState`
/// (global offset) of a checkpoint resumes every rank.
public struct DataShard: Equatable, Hashable, Sendable {
    public var rank: Int
    public var count: Int

    /// - Precondition: `0 <= rank < count`.
    public init(rank: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(rank), "rank \(rank) is not in 0..<\(count)")
        self.rank = rank
        self.count = count
    }

    /// One process reading everything.
    public static let whole = DataShard(rank: 0, count: 1)

    /// This process's shard: its rank of the `mpirun` world, or `whole`.
    public static func current() throws -> DataShard {
        guard let world = try MPIWorld.shared() else { return .whole }
        return DataShard(rank: world.rank, count: world.size)
    }

    /// This rank's positions of a global batch at `range` of `perRank` samples per rank.
    func positions(of range: Range<Int>, perRank: Int) -> Range<Int> {
        guard count > 1 else { return range }
        let start = min(range.lowerBound + rank * perRank, range.upperBound)
        return start..<min(start + perRank, range.upperBound)
    }
}
