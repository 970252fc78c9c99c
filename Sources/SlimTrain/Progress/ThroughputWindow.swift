/// Images per second over the last `capacity` batches:
/// `sum(images) / (t_last - t_first_in_window)`.
struct ThroughputWindow {
    let capacity: Int
    private var times: [Double]
    private var images: [Int] = []

    init(capacity: Int, start: Double) {
        self.capacity = capacity
        times = [start]
    }

    /// Records a finished batch of `images` samples at time `t`.
    mutating func record(images count: Int, at t: Double) {
        times.append(t)
        images.append(count)
        if images.count > capacity {
            times.removeFirst()
            images.removeFirst()
        }
    }

    private var elapsed: Double? {
        guard let first = times.first, let last = times.last, last > first, !images.isEmpty else { return nil }
        return last - first
    }

    var imagesPerSecond: Double? { elapsed.map { Double(images.reduce(0, +)) / $0 } }

    var secondsPerBatch: Double? { elapsed.map { $0 / Double(images.count) } }
}
