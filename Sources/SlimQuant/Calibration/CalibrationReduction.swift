/// Calibration shared by several processes (data parallelism): process `rank` of `count`
/// observes batches `rank, rank + count, ...` of each pass, then the observers' states are
/// combined so that every process ends with the thresholds of one process observing every batch:
///
/// - `abs_max`: the maximum of the per-process maxima (exact);
/// - `avg`: the sums of the batch maxima and the batch counts (equal to one process up to the
///   order of the f64 sum of the maxima);
/// - `hist`, `KL`, `mse`, `mix`: the first pass's `max |x|` is the maximum over the processes, so
///   every process fills histograms of the same range; the second pass's counts are summed
///   (integers in f64: exact). `mix` also combines its `abs_max` and `avg` candidates as above.
public struct CalibrationReduction {
    public var rank: Int
    public var count: Int
    /// Element-wise maximum over the processes, in place (every process passes the same count).
    public var max: (inout [Float]) -> Void
    /// Element-wise sum over the processes, in place.
    public var sum: (inout [Double]) -> Void

    /// - Precondition: `0 <= rank < count`.
    public init(rank: Int, count: Int, max: @escaping (inout [Float]) -> Void, sum: @escaping (inout [Double]) -> Void) {
        precondition(count > 0 && (0..<count).contains(rank), "rank \(rank) is not in 0..<\(count)")
        self.rank = rank
        self.count = count
        self.max = max
        self.sum = sum
    }

    /// Whether this process observes batch `index` of a pass.
    public func observes(_ index: Int) -> Bool { index % count == rank }

    /// Combines `observers` (every process holds the same vars) and the batch counts; returns the global count.
    func combine(_ observers: inout [String: any Observer], order names: [String], batches: Int) -> Int {
        var maxima: [Float] = [], sums: [Double] = [Double(batches)]
        for name in names {
            guard let state = observers[name] as? any ReducibleObserver else { preconditionFailure("\(name)'s observer cannot be combined") }
            maxima += state.maxState
            sums += state.sumState
        }
        max(&maxima)
        sum(&sums)
        var maxOffset = 0, sumOffset = 1
        for name in names {
            guard var state = observers[name] as? any ReducibleObserver else { continue }
            let m = state.maxState.count, s = state.sumState.count
            state.restore(max: Array(maxima[maxOffset..<maxOffset + m]), sum: Array(sums[sumOffset..<sumOffset + s]))
            maxOffset += m
            sumOffset += s
            observers[name] = state
        }
        return Int(sums[0])
    }
}

/// An observer whose state several processes can combine: `maxState` by element-wise maximum,
/// `sumState` by sum, then `restore` sets the combined values.
protocol ReducibleObserver: Observer {
    var maxState: [Float] { get }
    var sumState: [Double] { get }
    mutating func restore(max: [Float], sum: [Double])
}

extension AbsMaxObserver: ReducibleObserver {
    var maxState: [Float] { [scale] }
    var sumState: [Double] { [] }
    mutating func restore(max: [Float], sum: [Double]) { scale = max[0] }
}

extension RangeObserver: ReducibleObserver {
    // Extremes: max of the upper end and of the negated lower end; averaged: sums of both and the batch count.
    var maxState: [Float] { averaged ? [] : [Float(upperTotal), Float(-lowerTotal)] }
    var sumState: [Double] { averaged ? [lowerTotal, upperTotal, Double(batches)] : [Double(batches)] }
    mutating func restore(max: [Float], sum: [Double]) {
        if averaged {
            (lowerTotal, upperTotal, batches) = (sum[0], sum[1], Int(sum[2]))
        } else {
            (upperTotal, lowerTotal, batches) = (Double(max[0]), -Double(max[1]), Int(sum[0]))
        }
    }
}

extension AvgObserver: ReducibleObserver {
    var maxState: [Float] { [] }
    var sumState: [Double] { [total, Double(batches)] }
    mutating func restore(max: [Float], sum: [Double]) {
        total = sum[0]
        batches = Int(sum[1])
    }
}

extension AbsHistogram {
    /// The bin width (equal on every process with a fixed range; 0 where nothing was seen) and the counts.
    var maxState: [Float] { [width] }
    mutating func restore(width: Float, counts: [Double]) {
        self.width = width
        self.counts = counts
    }
}

extension HistObserver: ReducibleObserver {
    var maxState: [Float] { histogram.maxState }
    var sumState: [Double] { histogram.counts }
    mutating func restore(max: [Float], sum: [Double]) { histogram.restore(width: max[0], counts: sum) }
}

extension KLObserver: ReducibleObserver {
    var maxState: [Float] { histogram.maxState }
    var sumState: [Double] { histogram.counts }
    mutating func restore(max: [Float], sum: [Double]) { histogram.restore(width: max[0], counts: sum) }
}

extension MSEObserver: ReducibleObserver {
    var maxState: [Float] { histogram.maxState }
    var sumState: [Double] { histogram.counts }
    mutating func restore(max: [Float], sum: [Double]) { histogram.restore(width: max[0], counts: sum) }
}

extension MixObserver: ReducibleObserver {
    var maxState: [Float] { absMax.maxState + histogram.maxState }
    var sumState: [Double] { avg.sumState + histogram.counts }
    mutating func restore(max: [Float], sum: [Double]) {
        absMax.restore(max: [max[0]], sum: [])
        avg.restore(max: [], sum: Array(sum[0..<2]))
        histogram.restore(width: max[1], counts: Array(sum[2...]))
    }
}
