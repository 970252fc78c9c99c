import Foundation

/// Time spent reordering blocked tensors to plain row-major on access (`Tensor.storage`: a Swift
/// loop reading a tensor a oneDNN kernel left in a blocked layout), summed over the process, for
/// profiles (`slim bench --profile` charges it to the op that was running).
public enum ReorderClock {
    nonisolated(unsafe) private static var total: UInt64 = 0
    nonisolated(unsafe) private static var calls: Int = 0
    private static let lock = NSLock()

    /// Nanoseconds and reorders so far.
    public static var reading: (nanoseconds: UInt64, reorders: Int) {
        lock.lock(); defer { lock.unlock() }
        return (total, calls)
    }

    /// Runs `body` (one reorder to plain) and adds its time.
    static func measure(_ body: () -> Void) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let elapsed = DispatchTime.now().uptimeNanoseconds &- start
        lock.lock()
        total &+= elapsed
        calls += 1
        lock.unlock()
    }
}
