/// A weighted running mean: `mean = sum(w_i * x_i) / sum(w_i)` (e.g. loss weighted by batch size).
public struct RunningMean: Codable, Equatable, Sendable {
    public private(set) var sum: Double = 0
    public private(set) var weight: Double = 0

    public init() {}

    /// Adds `value` with `weight` (e.g. a batch mean with the batch size).
    public mutating func add(_ value: Double, weight w: Double = 1) {
        sum += value * w
        weight += w
    }

    /// The mean so far (0 before any value).
    public var mean: Double { weight == 0 ? 0 : sum / weight }

    public mutating func reset() { self = RunningMean() }
}
